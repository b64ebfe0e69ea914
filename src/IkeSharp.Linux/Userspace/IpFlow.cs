using System.Buffers.Binary;
using System.Net;
using IkeSharp.Protocol;

namespace IkeSharp.Linux.Userspace;

/// <summary>The addresses, protocol and ports of one IP packet, as numbers (no allocation).</summary>
internal readonly record struct IpFlow(bool V6, UInt128 Source, UInt128 Destination, byte Protocol, ushort SourcePort, ushort DestinationPort)
{
    /// <summary>Reads an IPv4 or IPv6 header (ports for TCP, UDP and SCTP directly after it).</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out IpFlow flow)
    {
        flow = default;
        if (packet.Length < 20)
        {
            return false;
        }

        int headerLength;
        byte protocol;
        UInt128 source, destination;
        bool v6;
        switch (packet[0] >> 4)
        {
            case 4:
                headerLength = (packet[0] & 0x0f) * 4;
                protocol = packet[9];
                source = BinaryPrimitives.ReadUInt32BigEndian(packet[12..]);
                destination = BinaryPrimitives.ReadUInt32BigEndian(packet[16..]);
                v6 = false;
                // non-first fragments carry no ports
                if ((BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x1fff) != 0)
                {
                    protocol = 0;
                }

                break;
            case 6 when packet.Length >= 40:
                headerLength = 40;
                protocol = packet[6];
                source = BinaryPrimitives.ReadUInt128BigEndian(packet[8..]);
                destination = BinaryPrimitives.ReadUInt128BigEndian(packet[24..]);
                v6 = true;
                break;
            default:
                return false;
        }

        ushort sourcePort = 0, destinationPort = 0;
        if (protocol is 6 or 17 or 132 && packet.Length >= headerLength + 4)
        {
            sourcePort = BinaryPrimitives.ReadUInt16BigEndian(packet[headerLength..]);
            destinationPort = BinaryPrimitives.ReadUInt16BigEndian(packet[(headerLength + 2)..]);
        }

        flow = new IpFlow(v6, source, destination, protocol, sourcePort, destinationPort);
        return true;
    }
}

/// <summary>A traffic selector as numeric ranges, for matching packets on the hot path.</summary>
internal readonly record struct SelectorRange(bool V6, UInt128 Start, UInt128 End, byte Protocol, ushort StartPort, ushort EndPort)
{
    public static SelectorRange From(TrafficSelector selector)
    {
        var v6 = selector.Type == TrafficSelectorType.TS_IPV6_ADDR_RANGE;
        return new SelectorRange(v6, Number(selector.StartAddress!), Number(selector.EndAddress!), selector.IpProtocol, selector.StartPort, selector.EndPort);
    }

    public static UInt128 Number(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        return length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>Whether the packet's source (<paramref name="source"/> true) or destination side falls in this selector.</summary>
    public bool Contains(in IpFlow flow, bool source)
    {
        var address = source ? flow.Source : flow.Destination;
        var port = source ? flow.SourcePort : flow.DestinationPort;
        return flow.V6 == V6 && address >= Start && address <= End
            && (Protocol == 0 || Protocol == flow.Protocol)
            && (Protocol is not (6 or 17 or 132) || (port >= StartPort && port <= EndPort));
    }
}
