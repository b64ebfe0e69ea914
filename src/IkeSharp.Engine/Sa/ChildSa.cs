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
}
