using System.Collections.Immutable;
using IkeSharp.Engine.Configuration;

namespace IkeSharp.Engine;

/// <summary>Engine-wide settings.</summary>
public sealed record EngineOptions
{
    public required ImmutableArray<TunnelConfig> Tunnels { get; init; }

    /// <summary>Half-open IKE SAs (as responder) at which new peers must return a COOKIE first (RFC 7296 §2.6).</summary>
    public int CookieThreshold { get; init; } = 10;

    /// <summary>How long a responder keeps an IKE SA that has not completed IKE_AUTH.</summary>
    public TimeSpan HalfOpenTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First delay before re-initiating a failed tunnel; doubles per attempt up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromMinutes(5);
}
