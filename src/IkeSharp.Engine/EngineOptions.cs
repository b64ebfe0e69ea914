using System.Collections.Immutable;
using IkeSharp.Engine.Configuration;

namespace IkeSharp.Engine;

/// <summary>Engine-wide settings.</summary>
public sealed record EngineOptions
{
    public required ImmutableArray<TunnelConfig> Tunnels { get; init; }

    /// <summary>Half-open IKE SAs (as responder) at which new peers must return a COOKIE first (RFC 7296 §2.6).</summary>
    public int CookieThreshold { get; init; } = 10;

    /// <summary>Half-open IKE SAs from one address (that returned a COOKIE, if one was asked) above which its IKE_SA_INIT is dropped (strongSwan's <c>block_threshold</c>).</summary>
    public int BlockThreshold { get; init; } = 5;

    /// <summary>Half-open IKE SAs in all above which every new IKE_SA_INIT is dropped (strongSwan's <c>init_limit_half_open</c>).</summary>
    public int HalfOpenLimit { get; init; } = 1000;

    /// <summary>How long one COOKIE secret is used (RFC 7296 §2.6); COOKIEs made with the previous one stay valid as long again.</summary>
    public TimeSpan CookieSecretLifetime { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Datagrams waiting for one tunnel's owner above which further ones are dropped and counted.</summary>
    public int TunnelQueueLimit { get; init; } = 1024;

    /// <summary>How long a responder keeps an IKE SA that has not completed IKE_AUTH.</summary>
    public TimeSpan HalfOpenTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First delay before re-initiating a failed tunnel; doubles per attempt up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromMinutes(5);
}
