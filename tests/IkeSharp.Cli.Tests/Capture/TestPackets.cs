using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace IkeSharp.Cli.Tests.Capture;

/// <summary>Builds link-layer frames and IP/UDP packets for in-memory test captures.</summary>
internal static class TestPackets
{
    public const ushort EtherTypeIPv4 = 0x0800;
    public const ushort EtherTypeIPv6 = 0x86DD;
    public const ushort EtherTypeArp = 0x0806;

    public static readonly IPAddress Initiator4 = IPAddress.Parse("192.0.2.1");
    public static readonly IPAddress Responder4 = IPAddress.Parse("198.51.100.2");
    public static readonly IPAddress Initiator6 = IPAddress.Parse("2001:db8::1");
    public static readonly IPAddress Responder6 = IPAddress.Parse("2001:db8:1::2");

    public static byte[] Payload(int length, byte seed = 0x20) =>
        Enumerable.Range(0, length).Select(i => (byte)(seed + i)).ToArray();

    public static byte[] Udp(ushort sourcePort, ushort destinationPort, byte[] payload)
    {
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp, 8);
        return udp;
    }

    /// <summary>An IPv4 packet; <paramref name="flagsAndOffset"/> is the raw flags/fragment-offset word.</summary>
    public static byte[] IPv4(IPAddress source, IPAddress destination, byte protocol, byte[] body, ushort flagsAndOffset = 0x4000, byte[]? options = null)
    {
        options ??= [];
        var headerLength = 20 + options.Length;
        var packet = new byte[headerLength + body.Length];
        packet[0] = (byte)(0x40 | (headerLength / 4));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), flagsAndOffset);
        packet[8] = 64;
        packet[9] = protocol;
        source.GetAddressBytes().CopyTo(packet, 12);
        destination.GetAddressBytes().CopyTo(packet, 16);
        options.CopyTo(packet, 20);
        body.CopyTo(packet, headerLength);
        return packet;
    }

    public static byte[] Udp4(byte[] payload, ushort sourcePort = 500, ushort destinationPort = 500) =>
        IPv4(Initiator4, Responder4, 17, Udp(sourcePort, destinationPort, payload));

    /// <summary>An IPv6 packet whose extension headers (each already encoded) precede <paramref name="body"/>.</summary>
    public static byte[] IPv6(IPAddress source, IPAddress destination, byte firstNextHeader, byte[] body, params byte[][] extensionHeaders)
    {
        var chain = extensionHeaders.SelectMany(h => h).Concat(body).ToArray();
        var packet = new byte[40 + chain.Length];
        packet[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)chain.Length);
        packet[6] = firstNextHeader;
        packet[7] = 64;
        source.GetAddressBytes().CopyTo(packet, 8);
        destination.GetAddressBytes().CopyTo(packet, 24);
        chain.CopyTo(packet, 40);
        return packet;
    }

    public static byte[] Udp6(byte[] payload, ushort sourcePort = 500, ushort destinationPort = 500) =>
        IPv6(Initiator6, Responder6, 17, Udp(sourcePort, destinationPort, payload));

    /// <summary>Hop-by-hop, routing or destination options header of <paramref name="units"/> extra 8-octet units.</summary>
    public static byte[] ExtensionHeader(byte nextHeader, int units)
    {
        var header = new byte[(units + 1) * 8];
        header[0] = nextHeader;
        header[1] = (byte)units;

        // PadN option filling the rest, as a real sender would.
        header[2] = 1;
        header[3] = (byte)(header.Length - 4);
        return header;
    }

    public static byte[] FragmentHeader(byte nextHeader, ushort offsetInUnits, bool moreFragments)
    {
        var header = new byte[8];
        header[0] = nextHeader;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)((offsetInUnits << 3) | (moreFragments ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 0xCAFEF00D);
        return header;
    }

    public static byte[] Ethernet(ushort etherType, byte[] body, params (ushort Tpid, ushort Tci)[] tags)
    {
        var frame = new List<byte> { 0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02 };
        foreach (var (tpid, tci) in tags)
        {
            AddUInt16(frame, tpid);
            AddUInt16(frame, tci);
        }

        AddUInt16(frame, etherType);
        frame.AddRange(body);
        return [.. frame];
    }

    /// <summary>LINKTYPE_LINUX_SLL header (16 octets) for an outgoing packet on an Ethernet device.</summary>
    public static byte[] LinuxSll(ushort protocol, byte[] body, ushort arpHardwareType = 1)
    {
        var frame = new byte[16 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, 4);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), arpHardwareType);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), protocol);
        body.CopyTo(frame, 16);
        return frame;
    }

    /// <summary>LINKTYPE_LINUX_SLL2 header (20 octets).</summary>
    public static byte[] LinuxSll2(ushort protocol, byte[] body, ushort arpHardwareType = 1)
    {
        var frame = new byte[20 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, protocol);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), 3);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(8), arpHardwareType);
        frame[10] = 4;
        frame[11] = 6;
        body.CopyTo(frame, 20);
        return frame;
    }

    /// <summary>LINKTYPE_NULL / LINKTYPE_LOOP header: a 4-octet address family.</summary>
    public static byte[] Loopback(uint family, bool bigEndian, byte[] body)
    {
        var frame = new byte[4 + body.Length];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(frame, family);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(frame, family);
        }

        body.CopyTo(frame, 4);
        return frame;
    }

    public static IPEndPoint EndPoint(IPAddress address, int port) => new(address, port);

    public static bool IsIPv6(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6;

    private static void AddUInt16(List<byte> list, ushort value)
    {
        list.Add((byte)(value >> 8));
        list.Add((byte)value);
    }
}
