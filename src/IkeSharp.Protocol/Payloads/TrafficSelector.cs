using System.Net;
using System.Net.Sockets;

namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.13.1, Traffic Selector:

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |   TS Type     |IP Protocol ID*|       Selector Length         |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |           Start Port*         |           End Port*           |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                         Starting Address*                     ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                         Ending Address*                       ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    * fields of TS_IPV4_ADDR_RANGE (length 16) and TS_IPV6_ADDR_RANGE (length 40).
*/

/// <summary>
/// One traffic selector: an address range, an IP protocol (0 = any) and a port range
/// (0-65535 = any). Selectors of other types (TS_SECLABEL, FC) are kept raw in
/// <see cref="OtherData"/> with null addresses.
/// </summary>
public sealed record TrafficSelector(
    TrafficSelectorType Type,
    byte IpProtocol,
    ushort StartPort,
    ushort EndPort,
    IPAddress? StartAddress,
    IPAddress? EndAddress,
    ReadOnlyMemory<byte> OtherData = default)
{
    private const int HeaderSize = 4;
    private const int Ipv4Length = 16;
    private const int Ipv6Length = 40;

    /// <summary>A selector for a whole range with any protocol and port.</summary>
    public static TrafficSelector ForRange(IPAddress start, IPAddress end, byte ipProtocol = 0, ushort startPort = 0, ushort endPort = ushort.MaxValue)
    {
        if (start.AddressFamily != end.AddressFamily)
        {
            throw new ArgumentException("start and end address families differ");
        }

        var type = start.AddressFamily == AddressFamily.InterNetworkV6 ? TrafficSelectorType.TS_IPV6_ADDR_RANGE : TrafficSelectorType.TS_IPV4_ADDR_RANGE;
        return new TrafficSelector(type, ipProtocol, startPort, endPort, start, end);
    }

    public override string ToString()
    {
        if (StartAddress is null || EndAddress is null)
        {
            return $"{Type}({Convert.ToHexString(OtherData.Span)})";
        }

        var range = RangeText(StartAddress, EndAddress);
        var ports = (StartPort, EndPort) switch
        {
            (0, ushort.MaxValue) => null,
            var (s, e) when s == e => s.ToString(),
            var (s, e) => $"{s}-{e}",
        };
        if (IpProtocol == 0 && ports is null)
        {
            return range;
        }

        return $"{range}[{ProtocolName(IpProtocol)}{(ports is null ? "" : "/" + ports)}]";
    }

    internal static TrafficSelector Read(ref IkeReader reader)
    {
        var start = reader.Offset;
        var type = (TrafficSelectorType)reader.ReadUInt8("TS Type");
        var protocol = reader.ReadUInt8("IP Protocol ID");
        var length = reader.ReadUInt16("Selector Length");
        var body = reader.ReadSubstructure(start, length, HeaderSize, "traffic selector");
        var expected = type switch
        {
            TrafficSelectorType.TS_IPV4_ADDR_RANGE => Ipv4Length,
            TrafficSelectorType.TS_IPV6_ADDR_RANGE => Ipv6Length,
            _ => -1,
        };
        if (expected < 0)
        {
            var other = body.ReadRest();
            reader.Absorb(body);
            return new TrafficSelector(type, protocol, 0, 0, null, null, other);
        }

        if (!body.Failed && length != expected)
        {
            body.FailAt($"{type} selector length {length}, must be {expected}", start);
        }

        var startPort = body.ReadUInt16("Start Port");
        var endPort = body.ReadUInt16("End Port");
        var addressSize = (expected - 8) / 2;
        var startAddress = body.ReadBytes(addressSize, "Starting Address");
        var endAddress = body.ReadBytes(addressSize, "Ending Address");
        reader.Absorb(body);
        if (reader.Failed)
        {
            return new TrafficSelector(type, protocol, startPort, endPort, null, null);
        }

        return new TrafficSelector(type, protocol, startPort, endPort, new IPAddress(startAddress.Span), new IPAddress(endAddress.Span));
    }

    internal void Write(ref IkeWriter writer)
    {
        var start = writer.Position;
        writer.WriteUInt8((byte)Type);
        writer.WriteUInt8(IpProtocol);
        var length = writer.ReserveUInt16();
        if (StartAddress is null || EndAddress is null)
        {
            writer.WriteBytes(OtherData.Span);
        }
        else
        {
            writer.WriteUInt16(StartPort);
            writer.WriteUInt16(EndPort);
            Span<byte> address = stackalloc byte[16];
            StartAddress.TryWriteBytes(address, out var written);
            writer.WriteBytes(address[..written]);
            EndAddress.TryWriteBytes(address, out written);
            writer.WriteBytes(address[..written]);
        }

        writer.PatchLength16(length, start);
    }

    /// <summary>Shows a range as a CIDR prefix when it is one, as strongSwan prints selectors.</summary>
    private static string RangeText(IPAddress start, IPAddress end)
    {
        var s = start.GetAddressBytes();
        var e = end.GetAddressBytes();
        var prefix = 0;
        while (prefix < s.Length * 8 && Bit(s, prefix) == Bit(e, prefix))
        {
            prefix++;
        }

        for (var i = prefix; i < s.Length * 8; i++)
        {
            if (Bit(s, i) != 0 || Bit(e, i) != 1)
            {
                return $"{start}..{end}";
            }
        }

        return $"{start}/{prefix}";
    }

    private static int Bit(byte[] bytes, int index) => (bytes[index / 8] >> (7 - (index % 8))) & 1;

    private static string ProtocolName(byte protocol) => protocol switch
    {
        0 => "any",
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        58 => "ipv6-icmp",
        _ => protocol.ToString(),
    };
}
