using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IkeSharp.Linux.Interop;
using IkeSharp.Linux.Netlink;
using static IkeSharp.Linux.Interop.netlink;
using static IkeSharp.Linux.Interop.xfrm;

namespace IkeSharp.Linux.Xfrm;

/// <summary>
/// Encodes the XFRM requests IkeSharp sends, laid out field for field as iproute2's <c>ip xfrm</c>
/// does for the same operation (the golden tests compare them byte for byte).
/// </summary>
internal static class XfrmRequests
{
    /// <summary>NEWSA, or UPDSA to complete an SA whose SPI came from ALLOCSPI. The result holds keys: zero it after sending.</summary>
    public static byte[] NewState(XfrmStateSpec spec, uint sequence, bool update = false)
    {
        var writer = new NetlinkWriter(update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA, NLM_F_REQUEST | NLM_F_ACK, sequence);
        var info = StateInfo(spec.Source, spec.Destination, spec.Spi, spec.ReqId, spec.Mode);
        info.flags = spec.Flags;
        info.lft = Lifetime(spec.Lifetime);
        var esnAttribute = spec.ExtendedSequenceNumbers || spec.ReplayWindow > 32;
        if (spec.ExtendedSequenceNumbers)
        {
            info.flags |= XFRM_STATE_ESN;
        }

        if (!esnAttribute)
        {
            info.replay_window = (byte)spec.ReplayWindow;
        }

        writer.Write(info);
        if (spec.Aead is { } aead)
        {
            Algorithm(writer, XFRMA_ALG_AEAD, aead, withBits: true);
        }

        if (spec.Crypt is { } crypt)
        {
            Algorithm(writer, XFRMA_ALG_CRYPT, crypt, withBits: false);
        }

        if (spec.Auth is { } auth)
        {
            Algorithm(writer, XFRMA_ALG_AUTH_TRUNC, auth, withBits: true);
        }

        if (spec.Encapsulation is { } encap)
        {
            writer.Attribute(XFRMA_ENCAP, new xfrm_encap_tmpl
            {
                encap_type = UDP_ENCAP_ESPINUDP,
                encap_sport = BinaryPrimitives.ReverseEndianness(encap.SourcePort),
                encap_dport = BinaryPrimitives.ReverseEndianness(encap.DestinationPort),
            });
        }

        if (esnAttribute)
        {
            // The window is a bitmap of whole 32-bit words. Like iproute2 we send no bitmap: the
            // kernel allocates a zeroed one of bmp_len words when the attribute is shorter.
            var words = (spec.ReplayWindow + 31) / 32;
            writer.Attribute(XFRMA_REPLAY_ESN_VAL, new xfrm_replay_state_esn { bmp_len = (uint)words, replay_window = (uint)spec.ReplayWindow });
        }

        return writer.ToArray();
    }

    /// <summary>ALLOCSPI: a larval inbound SA from <paramref name="source"/> (the peer) to <paramref name="destination"/> (us).</summary>
    public static byte[] AllocateSpi(IPAddress source, IPAddress destination, uint reqId, uint min, uint max, uint sequence)
    {
        var writer = new NetlinkWriter(XFRM_MSG_ALLOCSPI, NLM_F_REQUEST, sequence);
        // No lifetimes: the kernel gives the larval SA its own short expiry until UPDSA completes it.
        var info = StateInfo(source, destination, 0, reqId, XFRM_MODE_TUNNEL);
        info.lft = default;
        writer.Write(new xfrm_userspi_info { info = info, min = min, max = max });
        return writer.ToArray();
    }

    /// <summary>DELSA (or GETSA) of the ESP SA <paramref name="spi"/> from <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public static byte[] StateId(ushort type, IPAddress source, IPAddress destination, uint spi, uint sequence)
    {
        var writer = new NetlinkWriter(type, type == XFRM_MSG_DELSA ? (ushort)(NLM_F_REQUEST | NLM_F_ACK) : NLM_F_REQUEST, sequence);
        var id = new xfrm_usersa_id { spi = BinaryPrimitives.ReverseEndianness(spi), family = Family(destination), proto = IPPROTO_ESP };
        Address(destination, ref id.daddr);
        writer.Write(id);
        var source16 = default(xfrm_address_t);
        Address(source, ref source16);
        writer.Attribute(13 /* XFRMA_SRCADDR */, source16);
        return writer.ToArray();
    }

    /// <summary>NEWPOLICY, or UPDPOLICY to replace a policy with the same selector and direction.</summary>
    public static byte[] NewPolicy(XfrmPolicySpec spec, uint sequence, bool update = false)
    {
        var writer = new NetlinkWriter(update ? XFRM_MSG_UPDPOLICY : XFRM_MSG_NEWPOLICY, NLM_F_REQUEST | NLM_F_ACK, sequence);
        writer.Write(new xfrm_userpolicy_info
        {
            sel = Selector(spec.Selector),
            lft = Lifetime(default),
            priority = spec.Priority,
            dir = (byte)spec.Direction,
            action = spec.Block ? XFRM_POLICY_BLOCK : XFRM_POLICY_ALLOW,
        });
        if (spec.Template is { } template)
        {
            var tmpl = new xfrm_user_tmpl
            {
                id = new xfrm_id { spi = BinaryPrimitives.ReverseEndianness(template.Spi), proto = IPPROTO_ESP },
                family = Family(template.Source),
                reqid = template.ReqId,
                mode = XFRM_MODE_TUNNEL,
                aalgos = uint.MaxValue,
                ealgos = uint.MaxValue,
                calgos = uint.MaxValue,
            };
            Address(template.Destination, ref tmpl.id.daddr);
            Address(template.Source, ref tmpl.saddr);
            writer.Attribute(XFRMA_TMPL, tmpl);
        }

        return writer.ToArray();
    }

    public static byte[] DeletePolicy(XfrmSelector selector, XfrmDirection direction, uint sequence)
    {
        var writer = new NetlinkWriter(XFRM_MSG_DELPOLICY, NLM_F_REQUEST | NLM_F_ACK, sequence);
        writer.Write(new xfrm_userpolicy_id { sel = Selector(selector), dir = (byte)direction });
        return writer.ToArray();
    }

    /// <summary>A dump of every SA (GETSA) or policy (GETPOLICY) in this network namespace.</summary>
    public static byte[] Dump(ushort type, uint sequence)
    {
        var writer = new NetlinkWriter(type, NLM_F_REQUEST | NLM_F_DUMP, sequence);
        if (type == XFRM_MSG_GETSA)
        {
            // An all-zero struct xfrm_address_filter: no filtering, as iproute2 sends it.
            writer.Attribute(26 /* XFRMA_ADDRESS_FILTER */, new byte[36], []);
        }

        return writer.ToArray();
    }

    /// <summary>
    /// The payload of <c>IP_XFRM_POLICY</c>/<c>IPV6_XFRM_POLICY</c>: a per-socket allow policy with no
    /// template, so IKE packets never match a tunnel policy (strongSwan's bypass on its IKE sockets).
    /// </summary>
    public static byte[] SocketBypassPolicy(XfrmDirection direction, AddressFamily family)
    {
        var policy = new xfrm_userpolicy_info
        {
            sel = new xfrm_selector { family = family == AddressFamily.InterNetworkV6 ? (ushort)10 : (ushort)2 },
            lft = Lifetime(default),
            dir = (byte)direction,
            action = XFRM_POLICY_ALLOW,
        };
        return MemoryMarshal.AsBytes(new ReadOnlySpan<xfrm_userpolicy_info>(in policy)).ToArray();
    }

    internal static xfrm_selector Selector(XfrmSelector selector)
    {
        var sel = new xfrm_selector
        {
            family = Family(selector.Source.BaseAddress),
            prefixlen_s = (byte)selector.Source.PrefixLength,
            prefixlen_d = (byte)selector.Destination.PrefixLength,
            proto = selector.Protocol,
            sport = BinaryPrimitives.ReverseEndianness(selector.SourcePort),
            sport_mask = BinaryPrimitives.ReverseEndianness(selector.SourcePortMask),
            dport = BinaryPrimitives.ReverseEndianness(selector.DestinationPort),
            dport_mask = BinaryPrimitives.ReverseEndianness(selector.DestinationPortMask),
        };
        Address(selector.Source.BaseAddress, ref sel.saddr);
        Address(selector.Destination.BaseAddress, ref sel.daddr);
        return sel;
    }

    internal static ushort Family(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? (ushort)10 : (ushort)2;

    internal static unsafe void Address(IPAddress address, ref xfrm_address_t target)
    {
        fixed (uint* p = target.a6)
        {
            _ = address.TryWriteBytes(new Span<byte>(p, 16), out _);
        }
    }

    private static xfrm_usersa_info StateInfo(IPAddress source, IPAddress destination, uint spi, uint reqId, byte mode)
    {
        var info = new xfrm_usersa_info
        {
            id = new xfrm_id { spi = BinaryPrimitives.ReverseEndianness(spi), proto = IPPROTO_ESP },
            lft = Lifetime(default),
            reqid = reqId,
            family = Family(destination),
            mode = mode,
        };
        Address(destination, ref info.id.daddr);
        Address(source, ref info.saddr);
        return info;
    }

    private static xfrm_lifetime_cfg Lifetime(XfrmLifetime lifetime) => new()
    {
        soft_byte_limit = Limit(lifetime.SoftBytes),
        hard_byte_limit = Limit(lifetime.HardBytes),
        soft_packet_limit = Limit(lifetime.SoftPackets),
        hard_packet_limit = Limit(lifetime.HardPackets),
        soft_add_expires_seconds = lifetime.SoftSeconds,
        hard_add_expires_seconds = lifetime.HardSeconds,
    };

    private static ulong Limit(ulong value) => value == 0 ? XFRM_INF : value;

    /// <summary>xfrm_algo (name, key bits, key) or xfrm_algo_aead/xfrm_algo_auth (name, key bits, ICV/truncation bits, key).</summary>
    private static void Algorithm(NetlinkWriter writer, ushort type, XfrmAlgorithm algorithm, bool withBits)
    {
        Span<byte> head = stackalloc byte[AlgorithmNameSize + 8];
        head.Clear();
        _ = System.Text.Encoding.ASCII.GetBytes(algorithm.Name, head[..(AlgorithmNameSize - 1)]);
        BinaryPrimitives.WriteUInt32LittleEndian(head[AlgorithmNameSize..], (uint)algorithm.Key.Length * 8);
        BinaryPrimitives.WriteUInt32LittleEndian(head[(AlgorithmNameSize + 4)..], (uint)algorithm.Bits);
        writer.Attribute(type, head[..(withBits ? AlgorithmNameSize + 8 : AlgorithmNameSize + 4)], algorithm.Key.Span);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(head);
    }
}
