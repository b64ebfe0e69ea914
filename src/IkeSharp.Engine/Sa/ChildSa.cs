using System.Collections.Immutable;
using IkeSharp.Crypto;
using IkeSharp.Engine.Configuration;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Sa;

/// <summary>An established Child SA as the IKE SA tracks it (the datapath holds the keys).</summary>
internal sealed record ChildSa(
    ChildConfig Config,
    uint ReqId,
    uint InboundSpi,
    uint OutboundSpi,
    ChildSaCipherSuite Suite,
    string Proposal,
    ImmutableArray<TrafficSelector> LocalTrafficSelectors,
    ImmutableArray<TrafficSelector> RemoteTrafficSelectors,
    DateTimeOffset EstablishedAt)
{
    public string Name => Config.Name;

    /// <summary>The limits the datapath holds for this pair (its rekey time already randomised).</summary>
    public ChildLifetime Lifetime { get; init; }

    /// <summary>When its soft time limit makes it rekey; null without one.</summary>
    public DateTimeOffset? RekeyAt => Lifetime.RekeyTime > TimeSpan.Zero ? EstablishedAt + Lifetime.RekeyTime : null;

    /// <summary>When its hard time limit removes it; null without one.</summary>
    public DateTimeOffset? ExpiresAt => Lifetime.LifeTime > TimeSpan.Zero ? EstablishedAt + Lifetime.LifeTime : null;
}
