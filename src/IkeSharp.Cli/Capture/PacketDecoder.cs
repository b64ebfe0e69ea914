using System.Buffers.Binary;
using System.Net;

namespace IkeSharp.Cli.Capture;

/// <summary>Why a frame did or did not yield a UDP datagram.</summary>
internal enum PacketOutcome
{
    Udp,
    UnsupportedLinkType,
    NotIp,
    NotUdp,
    Fragment,
    Truncated,
    Malformed,
}

/// <summary>
/// Peels link-layer, IP and UDP headers off one captured frame. Never throws on packet content:
/// anything it cannot use is reported as a <see cref="PacketOutcome"/> so the caller skips it.
/// </summary>
internal static class PacketDecoder
{
    // Link-layer header types, numbered as in https://www.tcpdump.org/linktypes.html.
    public const int LinkTypeNull = 0;
    public const int LinkTypeEthernet = 1;
    public const int LinkTypeRaw = 101;
    public const int LinkTypeLoop = 108;
    public const int LinkTypeLinuxSll = 113;
    public const int LinkTypeIPv4 = 228;
    public const int LinkTypeIPv6 = 229;
    public const int LinkTypeLinuxSll2 = 276;

    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeIPv6 = 0x86DD;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;
    private const ushort EtherTypeQinQLegacy = 0x9100;

    // ARPHRD_NETLINK: in cooked captures of netlink sockets the protocol field is a netlink family,
    // not an EtherType (tcpdump.org LINKTYPE_LINUX_SLL).
    private const ushort ArpHardwareNetlink = 824;

    private const byte ProtocolUdp = 17;
    private const byte IPv6HopByHop = 0;
    private const byte IPv6Routing = 43;
    private const byte IPv6Fragment = 44;
    private const byte IPv6DestinationOptions = 60;

    private const int UdpHeaderLength = 8;

    /// <summary>Decodes <paramref name="frame"/>; on <see cref="PacketOutcome.Udp"/> the out values are set.</summary>
    public static PacketOutcome Decode(int linkType, ReadOnlySpan<byte> frame, out IPEndPoint? source, out IPEndPoint? destination, out byte[]? payload)
    {
        source = null;
        destination = null;
        payload = null;
        switch (linkType)
        {
            case LinkTypeEthernet:
                return DecodeEthernet(frame, ref source, ref destination, ref payload);
            case LinkTypeRaw:
                // LINKTYPE_RAW: the packet starts with an IPv4 or IPv6 header, told apart by the version nibble.
                return frame.IsEmpty
                    ? PacketOutcome.Truncated
                    : (frame[0] >> 4) switch
                    {
                        4 => DecodeIPv4(frame, ref source, ref destination, ref payload),
                        6 => DecodeIPv6(frame, ref source, ref destination, ref payload),
                        _ => PacketOutcome.NotIp,
                    };
            case LinkTypeIPv4:
                return DecodeIPv4(frame, ref source, ref destination, ref payload);
            case LinkTypeIPv6:
                return DecodeIPv6(frame, ref source, ref destination, ref payload);
            case LinkTypeNull:
            case LinkTypeLoop:
                return DecodeLoopback(linkType, frame, ref source, ref destination, ref payload);
            case LinkTypeLinuxSll:
                // 16 octets: packet type(2) ARPHRD type(2) address length(2) address(8) protocol(2).
                if (frame.Length < 16)
                {
                    return PacketOutcome.Truncated;
                }

                if (BinaryPrimitives.ReadUInt16BigEndian(frame[2..]) == ArpHardwareNetlink)
                {
                    return PacketOutcome.NotIp;
                }

                return DecodeEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame[14..]), frame[16..], ref source, ref destination, ref payload);
            case LinkTypeLinuxSll2:
                // 20 octets: protocol(2) reserved(2) interface index(4) ARPHRD type(2) packet type(1)
                // address length(1) address(8).
                if (frame.Length < 20)
                {
                    return PacketOutcome.Truncated;
                }

                if (BinaryPrimitives.ReadUInt16BigEndian(frame[8..]) == ArpHardwareNetlink)
                {
                    return PacketOutcome.NotIp;
                }

                return DecodeEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame), frame[20..], ref source, ref destination, ref payload);
            default:
                return PacketOutcome.UnsupportedLinkType;
        }
    }

    private static PacketOutcome DecodeEthernet(ReadOnlySpan<byte> frame, ref IPEndPoint? source, ref IPEndPoint? destination, ref byte[]? payload)
    {
        // Destination MAC(6) source MAC(6) EtherType(2). Any FCS or padding after the IP packet is
        // excluded later by the IP length fields.
        if (frame.Length < 14)
        {
            return PacketOutcome.Truncated;
        }

        return DecodeEtherType(BinaryPrimitives.ReadUInt16BigEndian(frame[12..]), frame[14..], ref source, ref destination, ref payload);
    }

    private static PacketOutcome DecodeEtherType(ushort etherType, ReadOnlySpan<byte> rest, ref IPEndPoint? source, ref IPEndPoint? destination, ref byte[]? payload)
    {
        // IEEE 802.1Q / 802.1ad tags (and the pre-standard 0x9100 QinQ tag) are TCI(2) EtherType(2)
        // inserted before the real EtherType; libpcap also re-inserts them in Linux cooked captures.
        // Each tag consumes 4 octets, so the loop ends.
        while (etherType is EtherTypeVlan or EtherTypeQinQ or EtherTypeQinQLegacy)
        {
            if (rest.Length < 4)
            {
                return PacketOutcome.Truncated;
            }

            etherType = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
            rest = rest[4..];
        }

        return etherType switch
        {
            EtherTypeIPv4 => DecodeIPv4(rest, ref source, ref destination, ref payload),
            EtherTypeIPv6 => DecodeIPv6(rest, ref source, ref destination, ref payload),
            _ => PacketOutcome.NotIp,
        };
    }

    private static PacketOutcome DecodeLoopback(int linkType, ReadOnlySpan<byte> frame, ref IPEndPoint? source, ref IPEndPoint? destination, ref byte[]? payload)
    {
        // A 4-octet address family: LINKTYPE_NULL stores it in the capturing host's byte order,
        // LINKTYPE_LOOP always big-endian. AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 on the
        // BSDs and macOS (tcpdump.org LINKTYPE_NULL).
        if (frame.Length < 4)
        {
            return PacketOutcome.Truncated;
        }

        var family = BinaryPrimitives.ReadUInt32BigEndian(frame);
        if (linkType == LinkTypeNull && family > 0xFFFF)
        {
            family = BinaryPrimitives.ReadUInt32LittleEndian(frame);
        }

        var ip = frame[4..];
        return family switch
        {
            2 => DecodeIPv4(ip, ref source, ref destination, ref payload),
            24 or 28 or 30 => DecodeIPv6(ip, ref source, ref destination, ref payload),
            _ => PacketOutcome.NotIp,
        };
    }

    private static PacketOutcome DecodeIPv4(ReadOnlySpan<byte> packet, ref IPEndPoint? source, ref IPEndPoint? destination, ref byte[]? payload)
    {
        // RFC 791 §3.1. The version nibble is checked first so that a link type promising IPv4
        // but carrying something else is reported as malformed, not as truncated.
        if (packet.IsEmpty)
        {
            return PacketOutcome.Truncated;
        }

        if (packet[0] >> 4 != 4)
        {
            return PacketOutcome.Malformed;
        }

        if (packet.Length < 20)
        {
            return PacketOutcome.Truncated;
        }

        var headerLength = (packet[0] & 0x0F) * 4;
        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (headerLength < 20 || totalLength < headerLength)
        {
            return PacketOutcome.Malformed;
        }

        // More Fragments flag or a non-zero offset: part of a fragmented datagram. A first fragment
        // holds the UDP header but not the whole payload, so it is skipped like the others.
        var flagsAndOffset = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        if ((flagsAndOffset & 0x3FFF) != 0)
        {
            return PacketOutcome.Fragment;
        }

        if (packet[9] != ProtocolUdp)
        {
            return PacketOutcome.NotUdp;
        }

        if (packet.Length < headerLength)
        {
            return PacketOutcome.Truncated;
        }

        // Total length, not the captured length, ends the packet: Ethernet pads short frames.
        return DecodeUdp(packet[..Math.Min(packet.Length, (int)totalLength)], headerLength, totalLength, packet.Slice(12, 4), packet.Slice(16, 4), ref source, ref destination, ref payload);
    }

    private static PacketOutcome DecodeIPv6(ReadOnlySpan<byte> packet, ref IPEndPoint? source, ref IPEndPoint? destination, ref byte[]? payload)
    {
        // RFC 8200 §3: fixed 40-octet header, then a chain of extension headers (§4).
        if (packet.IsEmpty)
        {
            return PacketOutcome.Truncated;
        }

        if (packet[0] >> 4 != 6)
        {
            return PacketOutcome.Malformed;
        }

        if (packet.Length < 40)
        {
            return PacketOutcome.Truncated;
        }

        var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        if (payloadLength == 0)
        {
            // Zero means a Hop-by-Hop Jumbo Payload (RFC 2675); a UDP datagram that big is not IKE.
            return PacketOutcome.Malformed;
        }

        var declaredEnd = 40 + payloadLength;
        var nextHeader = packet[6];
        var offset = 40;
        while (nextHeader != ProtocolUdp)
        {
            int headerLength;
            switch (nextHeader)
            {
                case IPv6HopByHop:
                case IPv6Routing:
                case IPv6DestinationOptions:
                    // Next header(1) header extension length(1) in 8-octet units, not counting the first 8.
                    if (!Available(packet, declaredEnd, offset, 2, out var outcome))
                    {
                        return outcome;
                    }

                    headerLength = (packet[offset + 1] + 1) * 8;
                    break;
                case IPv6Fragment:
                    // Next header(1) reserved(1) offset(13 bits) res(2) M(1) identification(4).
                    if (!Available(packet, declaredEnd, offset, 8, out outcome))
                    {
                        return outcome;
                    }

                    // RFC 6946: an "atomic fragment" (offset 0, M clear) is a whole datagram.
                    if ((BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]) & 0xFFF9) != 0)
                    {
                        return PacketOutcome.Fragment;
                    }

                    headerLength = 8;
                    break;
                default:
                    // Upper-layer protocol other than UDP, No Next Header (59), or an extension header
                    // IKE traffic does not use (AH, ESP, Mobility, HIP, Shim6).
                    return PacketOutcome.NotUdp;
            }

            if (!Available(packet, declaredEnd, offset, headerLength, out var skipped))
            {
                return skipped;
            }

            nextHeader = packet[offset];
            offset += headerLength;
        }

        return DecodeUdp(packet[..Math.Min(packet.Length, declaredEnd)], offset, declaredEnd, packet.Slice(8, 16), packet.Slice(24, 16), ref source, ref destination, ref payload);
    }

    /// <summary>
    /// Parses the UDP header at <paramref name="offset"/> (RFC 768). <paramref name="packet"/> is the
    /// captured part of the IP packet; <paramref name="declaredEnd"/> is where the IP header says the
    /// packet ends.
    /// </summary>
    private static PacketOutcome DecodeUdp(ReadOnlySpan<byte> packet, int offset, int declaredEnd, ReadOnlySpan<byte> sourceAddress, ReadOnlySpan<byte> destinationAddress, ref IPEndPoint? source, ref IPEndPoint? destination, ref byte[]? payload)
    {
        if (!Available(packet, declaredEnd, offset, UdpHeaderLength, out var outcome))
        {
            return outcome;
        }

        // The UDP length covers header and data; it, not the IP length, ends the payload.
        var udpLength = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 4)..]);
        if (udpLength < UdpHeaderLength)
        {
            return PacketOutcome.Malformed;
        }

        if (!Available(packet, declaredEnd, offset, udpLength, out outcome))
        {
            return outcome;
        }

        var sourcePort = BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
        var destinationPort = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
        source = new IPEndPoint(new IPAddress(sourceAddress), sourcePort);
        destination = new IPEndPoint(new IPAddress(destinationAddress), destinationPort);
        payload = packet.Slice(offset + UdpHeaderLength, udpLength - UdpHeaderLength).ToArray();
        return PacketOutcome.Udp;
    }

    /// <summary>
    /// Whether <paramref name="length"/> octets at <paramref name="offset"/> are both inside the IP
    /// packet as declared (else the headers are inconsistent) and inside the captured octets (else
    /// the snapshot length cut the packet).
    /// </summary>
    private static bool Available(ReadOnlySpan<byte> packet, int declaredEnd, int offset, int length, out PacketOutcome outcome)
    {
        if (offset + length > declaredEnd)
        {
            outcome = PacketOutcome.Malformed;
            return false;
        }

        if (offset + length > packet.Length)
        {
            outcome = PacketOutcome.Truncated;
            return false;
        }

        outcome = PacketOutcome.Udp;
        return true;
    }
}
