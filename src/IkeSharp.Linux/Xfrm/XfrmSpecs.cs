using System.Net;

namespace IkeSharp.Linux.Xfrm;

/// <summary>
/// A kernel crypto algorithm with its key: <see cref="Bits"/> is the ICV length for AEAD
/// (<c>xfrm_algo_aead.alg_icv_len</c>), the truncation for integrity (<c>alg_trunc_len</c>), unused for ciphers.
/// </summary>
internal sealed record XfrmAlgorithm(string Name, ReadOnlyMemory<byte> Key, int Bits = 0)
{
    public override string ToString() => Bits == 0 ? $"{Name} ({Key.Length * 8}-bit key)" : $"{Name} ({Key.Length * 8}-bit key, {Bits} bits)";
}

/// <summary>Soft and hard limits of an SA (<c>xfrm_lifetime_cfg</c>); zero means none.</summary>
internal readonly record struct XfrmLifetime(
    ulong SoftBytes = 0,
    ulong HardBytes = 0,
    ulong SoftPackets = 0,
    ulong HardPackets = 0,
    ulong SoftSeconds = 0,
    ulong HardSeconds = 0);

/// <summary>RFC 3948 UDP encapsulation of an SA: the outer UDP ports (normally 4500 on both sides).</summary>
internal readonly record struct XfrmEncapsulation(ushort SourcePort, ushort DestinationPort);

/// <summary>
/// One ESP SA for NEWSA/UPDSA, as strongSwan's kernel-netlink would install it: tunnel mode,
/// outer <see cref="Source"/> to <see cref="Destination"/>, AEAD or cipher plus truncated HMAC.
/// </summary>
internal sealed record XfrmStateSpec
{
    public required IPAddress Source { get; init; }

    public required IPAddress Destination { get; init; }

    public required uint Spi { get; init; }

    public required uint ReqId { get; init; }

    /// <summary>An AEAD algorithm (then <see cref="Crypt"/> and <see cref="Auth"/> are null).</summary>
    public XfrmAlgorithm? Aead { get; init; }

    public XfrmAlgorithm? Crypt { get; init; }

    public XfrmAlgorithm? Auth { get; init; }

    /// <summary>Anti-replay window in packets; above 32, or with ESN, it travels in XFRMA_REPLAY_ESN_VAL.</summary>
    public int ReplayWindow { get; init; } = 32;

    public bool ExtendedSequenceNumbers { get; init; }

    public XfrmLifetime Lifetime { get; init; }

    public XfrmEncapsulation? Encapsulation { get; init; }

    /// <summary>
    /// Tunnel-mode SAs carry inner packets of either family, so strongSwan sets XFRM_STATE_AF_UNSPEC
    /// and leaves the selector empty (policies do the selecting).
    /// </summary>
    public byte Flags { get; init; } = Interop.xfrm.XFRM_STATE_AF_UNSPEC;

    public byte Mode { get; init; } = Interop.xfrm.XFRM_MODE_TUNNEL;
}

/// <summary>An XFRM selector: source and destination prefixes, protocol and ports (0 with mask 0 is any).</summary>
internal readonly record struct XfrmSelector(
    IPNetwork Source,
    IPNetwork Destination,
    byte Protocol = 0,
    ushort SourcePort = 0,
    ushort SourcePortMask = 0,
    ushort DestinationPort = 0,
    ushort DestinationPortMask = 0)
{
    public override string ToString()
    {
        var protocol = Protocol == 0 ? "" : $" proto {Protocol}";
        var sport = SourcePortMask == 0 ? "" : $" sport {SourcePort}";
        var dport = DestinationPortMask == 0 ? "" : $" dport {DestinationPort}";
        return $"{Source}{sport} -> {Destination}{dport}{protocol}";
    }
}

/// <summary>Which traffic a policy applies to (<c>XFRM_POLICY_IN/OUT/FWD</c>).</summary>
internal enum XfrmDirection : byte
{
    In = 0,
    Out = 1,
    Fwd = 2,
}

/// <summary>
/// The ESP SA a policy requires: tunnel endpoints and the reqid that ties it to its SAs. An outbound
/// policy may name the SPI too, so the kernel uses exactly that SA while an old one still exists.
/// </summary>
internal readonly record struct XfrmTemplate(IPAddress Source, IPAddress Destination, uint ReqId, uint Spi = 0);

/// <summary>
/// One policy for NEWPOLICY/UPDPOLICY. With a template, matching traffic must use an SA of that
/// reqid (or raises an ACQUIRE); without one, <see cref="Block"/> drops it and otherwise it passes.
/// </summary>
internal sealed record XfrmPolicySpec(XfrmSelector Selector, XfrmDirection Direction, uint Priority, XfrmTemplate? Template, bool Block = false);
