using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using IkeSharp.Linux.Interop;
using static IkeSharp.Linux.Interop.netlink;

namespace IkeSharp.Linux.Netlink;

/// <summary>One netlink message inside a received datagram.</summary>
internal readonly record struct NetlinkMessage(ushort Type, ushort Flags, uint Sequence, ReadOnlyMemory<byte> Payload);

/// <summary>
/// What every netlink family shares: splitting a datagram into messages, NLMSG_ERROR, and
/// type-length-value attributes. Every reader checks lengths; short input yields nothing.
/// </summary>
internal static class NetlinkReplies
{
    private static readonly int HeaderSize = Unsafe.SizeOf<nlmsghdr>();

    /// <summary>Splits a datagram into its messages (a dump packs several into one).</summary>
    public static List<NetlinkMessage> Split(ReadOnlyMemory<byte> datagram)
    {
        var messages = new List<NetlinkMessage>();
        var offset = 0;
        while (datagram.Length - offset >= HeaderSize)
        {
            var header = MemoryMarshal.Read<nlmsghdr>(datagram.Span[offset..]);
            if (header.nlmsg_len < HeaderSize || header.nlmsg_len > datagram.Length - offset)
            {
                break;
            }

            messages.Add(new NetlinkMessage(header.nlmsg_type, header.nlmsg_flags, header.nlmsg_seq, datagram.Slice(offset + HeaderSize, (int)header.nlmsg_len - HeaderSize)));
            offset += Align((int)header.nlmsg_len);
        }

        return messages;
    }

    /// <summary>
    /// NLMSG_ERROR: the (negative) errno, 0 for an ack, and the kernel's extended-ack text when
    /// NETLINK_EXT_ACK is on (e.g. "Requested AEAD algorithm not found").
    /// </summary>
    public static (int Errno, string? Message) Error(NetlinkMessage message)
    {
        var payload = message.Payload.Span;
        if (payload.Length < 4)
        {
            return (-71 /* EPROTO */, "truncated netlink error");
        }

        var error = BinaryPrimitives.ReadInt32LittleEndian(payload);
        if ((message.Flags & NLM_F_ACK_TLVS) == 0 || payload.Length < 4 + HeaderSize)
        {
            return (error, null);
        }

        // The echoed request: only its header when capped, otherwise all of it.
        var echoed = MemoryMarshal.Read<nlmsghdr>(payload[4..]);
        var offset = 4 + ((message.Flags & NLM_F_CAPPED) != 0 ? HeaderSize : Align((int)echoed.nlmsg_len));
        foreach (var (type, value) in Attributes(message.Payload, offset))
        {
            if (type == NLMSGERR_ATTR_MSG)
            {
                return (error, CString(value.Span));
            }
        }

        return (error, null);
    }

    /// <summary>The attributes from <paramref name="offset"/> (rounded up to 4) to the end of the payload.</summary>
    public static IEnumerable<(ushort Type, ReadOnlyMemory<byte> Value)> Attributes(ReadOnlyMemory<byte> payload, int offset)
    {
        offset = Align(offset);
        while (payload.Length - offset >= 4)
        {
            var header = MemoryMarshal.Read<nlattr>(payload.Span[offset..]);
            if (header.nla_len < 4 || header.nla_len > payload.Length - offset)
            {
                yield break;
            }

            // The top bits flag nested/byte-order attributes; the type is in the low 14.
            yield return ((ushort)(header.nla_type & 0x3fff), payload.Slice(offset + 4, header.nla_len - 4));
            offset += Align(header.nla_len);
        }
    }

    public static bool TryRead<T>(ReadOnlyMemory<byte> payload, int offset, out T value)
        where T : unmanaged
    {
        if (payload.Length - offset < Unsafe.SizeOf<T>())
        {
            value = default;
            return false;
        }

        value = MemoryMarshal.Read<T>(payload.Span[offset..]);
        return true;
    }

    public static string CString(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? bytes : bytes[..end]);
    }
}
