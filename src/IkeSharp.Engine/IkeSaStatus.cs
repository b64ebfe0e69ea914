using System.Collections.Immutable;
using System.Net;
using IkeSharp.Engine.Sa;

namespace IkeSharp.Engine;

/// <summary>A snapshot of one IKE SA for status output (like <c>swanctl --list-sas</c>).</summary>
public sealed record IkeSaStatus(
    string Tunnel,
    IkeSaState State,
    bool Initiator,
    string InitiatorSpi,
    string ResponderSpi,
    IPEndPoint Local,
    IPEndPoint Remote,
    string LocalIdentity,
    string? RemoteIdentity,
    string? Proposal,
    bool NatLocal,
    bool NatRemote,
    bool UdpEncapsulation,
    DateTimeOffset? EstablishedAt,
    ImmutableArray<ChildSaStatus> Children)
{
    /// <summary>When the IKE SA is due for its rekey (or the retry of one); null when none is planned.</summary>
    public DateTimeOffset? RekeyAt { get; init; }

    /// <summary>When the IKE SA is reauthenticated; null without reauth_time.</summary>
    public DateTimeOffset? ReauthAt { get; init; }

    /// <summary>When the IKE SA is deleted unless rekeyed first; null without a hard lifetime.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>A snapshot of one Child SA.</summary>
public sealed record ChildSaStatus(string Name, uint ReqId, string InboundSpi, string OutboundSpi, string Proposal, string LocalTrafficSelectors, string RemoteTrafficSelectors, DateTimeOffset EstablishedAt)
{
    /// <summary>When its soft time limit rekeys it; null without one.</summary>
    public DateTimeOffset? RekeyAt { get; init; }

    /// <summary>When its hard time limit removes it; null without one.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>What a reload does to the tunnels, by outcome (their owners carry it out).</summary>
public sealed record Reconfiguration(
    ImmutableArray<string> Unchanged,
    ImmutableArray<string> Restarted,
    ImmutableArray<string> Added,
    ImmutableArray<string> Removed)
{
    /// <summary>Tunnels whose SAs stay, with new close_action, make_before_break or keyingtries from now on.</summary>
    public ImmutableArray<string> Updated { get; init; } = [];

    public override string ToString()
        => string.Join("; ", new[] { ("unchanged", Unchanged), ("updated in place", Updated), ("restarted", Restarted), ("added", Added), ("removed", Removed) }
            .Where(g => !g.Item2.IsEmpty).Select(g => $"{g.Item1}: {string.Join(", ", g.Item2)}").DefaultIfEmpty("no tunnels"));
}
