using System.Collections.Immutable;
using System.Net;

namespace IkeSharp.Config;

/// <summary>One inbound service the public IP forwards to an internal host (e.g. ICMP only, or tcp/443).</summary>
public sealed record NatService(string Protocol, ushort? Port)
{
    public override string ToString() => Port is { } p ? $"{Protocol}/{p}" : Protocol;
}

/// <summary>
/// A tunnel's NAT policy (the NAT instance of the seed articles): internal sources leave through the
/// tunnel from the public IP (SNAT), and traffic the peer sends to the public IP goes to one internal
/// host (DNAT), optionally only for some services or remote sources; everything else to the public IP
/// is dropped.
/// </summary>
public sealed record NatPolicy(
    string Tunnel,
    IPAddress PublicIp,
    ImmutableArray<string> InternalSources,
    ImmutableArray<string> RemoteSubnets,
    IPAddress? DnatTarget,
    ImmutableArray<NatService> DnatServices)
{
    /// <summary>Per remote source, its own internal target (the second seed's two partner hosts); overrides <see cref="DnatTarget"/> for them.</summary>
    public ImmutableArray<(string From, IPAddress To)> DnatMap { get; init; } = [];
}

/// <summary>
/// Internet egress of the gateway (the seeds' <c>-o eth0 -j MASQUERADE</c>): internal sources leave
/// through <see cref="Interface"/> masqueraded, except traffic to any tunnel's remote subnets, which
/// must keep its address for the tunnel's own SNAT.
/// </summary>
public sealed record EgressPolicy(string Interface, ImmutableArray<string> Sources);
