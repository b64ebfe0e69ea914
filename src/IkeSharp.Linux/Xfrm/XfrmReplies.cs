using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;
using IkeSharp.Linux.Interop;
using IkeSharp.Linux.Netlink;
using static IkeSharp.Linux.Interop.xfrm;
using static IkeSharp.Linux.Netlink.NetlinkReplies;

namespace IkeSharp.Linux.Xfrm;

/// <summary>An SA as the kernel reports it (dump, GETSA, EXPIRE): identity, algorithm names and counters, never keys.</summary>
internal sealed record XfrmStateInfo(
    IPAddress Source,
    IPAddress Destination,
    uint Spi,
    uint ReqId,
    byte Mode,
    string? Aead,
    string? Crypt,
    string? Auth,
    XfrmEncapsulation? Encapsulation,
    ulong Bytes,
    ulong Packets,
    uint ReplayDrops,
    uint IntegrityFailures);

/// <summary>A policy as the kernel reports it (dump, GETPOLICY).</summary>
internal sealed record XfrmPolicyInfo(XfrmSelector Selector, XfrmDirection Direction, uint Priority, uint Index, bool Block, XfrmTemplate? Template);

/// <summary>ACQUIRE: a packet of <see cref="Flow"/> hit a policy whose template (<see cref="ReqId"/>) has no SA.</summary>
internal sealed record XfrmAcquire(XfrmSelector Flow, XfrmSelector PolicySelector, uint ReqId);

/// <summary>EXPIRE: an SA reached its soft (rekey now) or hard (gone) limit.</summary>
internal sealed record XfrmExpire(XfrmStateInfo State, bool Hard);

/// <summary>Decodes what the kernel sends on an XFRM socket. Every reader checks lengths and returns null on short input.</summary>
internal static class XfrmReplies
{
    public static XfrmStateInfo? State(NetlinkMessage message) => State(message.Payload, 0);

    public static XfrmPolicyInfo? Policy(NetlinkMessage message)
    {
        if (!TryRead<xfrm_userpolicy_info>(message.Payload, 0, out var info))
        {
            return null;
        }

        XfrmTemplate? template = null;
        foreach (var (type, value) in Attributes(message.Payload, Unsafe.SizeOf<xfrm_userpolicy_info>()))
        {
            if (type == XFRMA_TMPL && TryRead<xfrm_user_tmpl>(value, 0, out var tmpl))
            {
                template = new XfrmTemplate(ReadAddress(tmpl.saddr, tmpl.family), ReadAddress(tmpl.id.daddr, tmpl.family), tmpl.reqid, BinaryPrimitives.ReverseEndianness(tmpl.id.spi));
            }
        }

        return new XfrmPolicyInfo(Selector(info.sel), (XfrmDirection)info.dir, info.priority, info.index, info.action == XFRM_POLICY_BLOCK, template);
    }

    public static XfrmAcquire? Acquire(NetlinkMessage message)
    {
        if (!TryRead<xfrm_user_acquire>(message.Payload, 0, out var acquire))
        {
            return null;
        }

        foreach (var (type, value) in Attributes(message.Payload, Unsafe.SizeOf<xfrm_user_acquire>()))
        {
            if (type == XFRMA_TMPL && TryRead<xfrm_user_tmpl>(value, 0, out var tmpl))
            {
                return new XfrmAcquire(Selector(acquire.sel), Selector(acquire.policy.sel), tmpl.reqid);
            }
        }

        return null;
    }

    public static XfrmExpire? Expire(NetlinkMessage message)
    {
        // struct xfrm_user_expire: the SA's info, then the hard flag; its attributes follow the padded struct.
        var size = Unsafe.SizeOf<xfrm_user_expire>();
        if (message.Payload.Length < size)
        {
            return null;
        }

        var state = State(message.Payload, size - Unsafe.SizeOf<xfrm_usersa_info>());
        return state is null ? null : new XfrmExpire(state, message.Payload.Span[Unsafe.SizeOf<xfrm_usersa_info>()] != 0);
    }

    /// <param name="attributeSkew">Octets between the end of xfrm_usersa_info and the first attribute.</param>
    private static XfrmStateInfo? State(ReadOnlyMemory<byte> payload, int attributeSkew)
    {
        if (!TryRead<xfrm_usersa_info>(payload, 0, out var info))
        {
            return null;
        }

        string? aead = null, crypt = null, auth = null;
        XfrmEncapsulation? encap = null;
        foreach (var (type, value) in Attributes(payload, Unsafe.SizeOf<xfrm_usersa_info>() + attributeSkew))
        {
            switch (type)
            {
                case XFRMA_ALG_AEAD:
                    aead = CString(value.Span[..Math.Min(value.Length, AlgorithmNameSize)]);
                    break;
                case XFRMA_ALG_CRYPT:
                    crypt = CString(value.Span[..Math.Min(value.Length, AlgorithmNameSize)]);
                    break;
                case XFRMA_ALG_AUTH_TRUNC:
                case XFRMA_ALG_AUTH when auth is null:
                    auth = CString(value.Span[..Math.Min(value.Length, AlgorithmNameSize)]);
                    break;
                case XFRMA_ENCAP when TryRead<xfrm_encap_tmpl>(value, 0, out var e):
                    encap = new XfrmEncapsulation(BinaryPrimitives.ReverseEndianness(e.encap_sport), BinaryPrimitives.ReverseEndianness(e.encap_dport));
                    break;
            }
        }

        return new XfrmStateInfo(
            ReadAddress(info.saddr, info.family),
            ReadAddress(info.id.daddr, info.family),
            BinaryPrimitives.ReverseEndianness(info.id.spi),
            info.reqid,
            info.mode,
            aead,
            crypt,
            auth,
            encap,
            info.curlft.bytes,
            info.curlft.packets,
            info.stats.replay,
            info.stats.integrity_failed);
    }

    internal static XfrmSelector Selector(in xfrm_selector sel) => new(
        new IPNetwork(ReadAddress(sel.saddr, sel.family), Math.Min(sel.prefixlen_s, MaxPrefix(sel.family))),
        new IPNetwork(ReadAddress(sel.daddr, sel.family), Math.Min(sel.prefixlen_d, MaxPrefix(sel.family))),
        sel.proto,
        BinaryPrimitives.ReverseEndianness(sel.sport),
        BinaryPrimitives.ReverseEndianness(sel.sport_mask),
        BinaryPrimitives.ReverseEndianness(sel.dport),
        BinaryPrimitives.ReverseEndianness(sel.dport_mask));

    private static int MaxPrefix(ushort family) => family == 10 ? 128 : 32;

    internal static unsafe IPAddress ReadAddress(in xfrm_address_t address, ushort family)
    {
        fixed (uint* p = address.a6)
        {
            return new IPAddress(new ReadOnlySpan<byte>(p, family == 10 ? 16 : 4));
        }
    }
}
