using static IkeSharp.Cli.Tests.Capture.CaptureTestSupport;
using static IkeSharp.Cli.Tests.Capture.TestPackets;

namespace IkeSharp.Cli.Tests.Capture;

/// <summary>VLAN tags, IP options and extension headers, fragments, truncation and non-UDP traffic.</summary>
public class PacketDecodingTests
{
    private const int LinkTypeEthernet = 1;
    private const byte HopByHop = 0;
    private const byte Routing = 43;
    private const byte Fragment = 44;
    private const byte DestinationOptions = 60;
    private const byte Udp = 17;

    [Fact]
    public void VlanTaggedFramesAreUnwrapped()
    {
        var single = Ethernet(EtherTypeIPv4, Udp4(Payload(8, 1)), (0x8100, 100));
        var qinq = Ethernet(EtherTypeIPv6, Udp6(Payload(8, 2)), (0x88A8, 200), (0x8100, 100));
        var capture = new TestPcapWriter(LinkTypeEthernet).Packet(single).Packet(qinq).ToArray();

        var datagrams = Read(capture);

        Assert.Equal([Payload(8, 1), Payload(8, 2)], datagrams.Select(d => d.Payload.ToArray()));
    }

    [Fact]
    public void VlanTagInLinuxCookedCaptureIsUnwrapped()
    {
        // libpcap re-inserts the stripped 802.1Q tag after the SLL header, with protocol 0x8100.
        byte[] tag = [0x00, 0x64, 0x08, 0x00];
        var frame = LinuxSll(0x8100, [.. tag, .. Udp4(Payload(6))]);

        Assert.Equal(Payload(6), Assert.Single(Read(new TestPcapWriter(113).Packet(frame).ToArray())).Payload.ToArray());
    }

    [Fact]
    public void EthernetPaddingAfterShortIpPacketIsNotPartOfThePayload()
    {
        // A 1-octet UDP payload makes a 29-octet IP packet; Ethernet pads the frame to 60 octets.
        var frame = Ethernet(EtherTypeIPv4, Udp4([0x42])).Concat(new byte[17]).ToArray();

        var datagram = Assert.Single(Read(new TestPcapWriter(LinkTypeEthernet).Packet(frame).ToArray()));

        Assert.Equal(new byte[] { 0x42 }, datagram.Payload.ToArray());
    }

    [Fact]
    public void UdpLengthShorterThanIpPayloadBoundsTheDatagram()
    {
        var udp = Udp(500, 500, Payload(10));
        var packet = IPv4(Initiator4, Responder4, Udp, [.. udp, 0xEE, 0xEE]);

        Assert.Equal(Payload(10), Assert.Single(Read(new TestPcapWriter(228).Packet(packet).ToArray())).Payload.ToArray());
    }

    [Fact]
    public void IPv4HeaderOptionsAreSkippedUsingIhl()
    {
        // Router Alert option (RFC 2113), 4 octets: IHL = 6.
        var packet = IPv4(Initiator4, Responder4, Udp, Udp(500, 500, Payload(9)), options: [0x94, 0x04, 0x00, 0x00]);

        Assert.Equal(Payload(9), Assert.Single(Read(new TestPcapWriter(228).Packet(packet).ToArray())).Payload.ToArray());
    }

    [Fact]
    public void IPv6ExtensionHeaderChainIsWalked()
    {
        var payload = Payload(21);
        var packet = IPv6(
            Initiator6,
            Responder6,
            HopByHop,
            Udp(500, 4500, payload),
            ExtensionHeader(DestinationOptions, 0),
            ExtensionHeader(Routing, 1),
            ExtensionHeader(Fragment, 0),
            FragmentHeader(Udp, 0, moreFragments: false));

        var datagram = Assert.Single(Read(new TestPcapWriter(LinkTypeEthernet).Packet(Ethernet(EtherTypeIPv6, packet)).ToArray()));

        Assert.Equal(payload, datagram.Payload.ToArray());
        Assert.Equal(EndPoint(Initiator6, 500), datagram.Source);
        Assert.Equal(EndPoint(Responder6, 4500), datagram.Destination);
    }

    [Fact]
    public void IPv4FragmentsAreSkippedAndCountedFirstFragmentIncluded()
    {
        var udp = Udp(500, 500, Payload(64));
        var first = IPv4(Initiator4, Responder4, Udp, udp[..32], flagsAndOffset: 0x2000);
        var last = IPv4(Initiator4, Responder4, Udp, udp[32..], flagsAndOffset: 4);
        var capture = new TestPcapWriter(LinkTypeEthernet)
            .Packet(Ethernet(EtherTypeIPv4, first))
            .Packet(Ethernet(EtherTypeIPv4, last))
            .Packet(Ethernet(EtherTypeIPv4, Udp4(Payload(3))))
            .ToArray();

        var datagram = Assert.Single(Read(capture, out var statistics));

        Assert.Equal(3, datagram.FrameNumber);
        Assert.Equal(2, statistics.SkippedFragments);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(8, true)]
    [InlineData(8, false)]
    public void IPv6FragmentsAreSkippedAndCounted(int offsetInUnits, bool moreFragments)
    {
        var packet = IPv6(Initiator6, Responder6, Fragment, Udp(500, 500, Payload(16)), FragmentHeader(Udp, (ushort)offsetInUnits, moreFragments));

        Assert.Empty(Read(new TestPcapWriter(229).Packet(packet).ToArray(), out var statistics));
        Assert.Equal(1, statistics.SkippedFragments);
    }

    [Fact]
    public void PacketCutBySnapLengthIsSkippedAsTruncated()
    {
        var frame = Ethernet(EtherTypeIPv4, Udp4(Payload(200)));
        var capture = new TestPcapWriter(LinkTypeEthernet, snapLength: 96)
            .Packet(frame[..96], originalLength: (uint)frame.Length)
            .Packet(frame[..10])
            .Packet(Ethernet(EtherTypeIPv6, Udp6(Payload(200)))[..60])
            .Packet(frame)
            .ToArray();

        var datagram = Assert.Single(Read(capture, out var statistics));

        Assert.Equal(4, datagram.FrameNumber);
        Assert.Equal(3, statistics.SkippedTruncated);
    }

    [Fact]
    public void NonUdpPacketsAreSkipped()
    {
        var tcp4 = IPv4(Initiator4, Responder4, 6, new byte[20]);
        var esp4 = IPv4(Initiator4, Responder4, 50, new byte[40]);
        var icmp6 = IPv6(Initiator6, Responder6, 58, new byte[8]);
        var noNext6 = IPv6(Initiator6, Responder6, HopByHop, [], ExtensionHeader(59, 0));
        var capture = new TestPcapWriter(101).Packet(tcp4).Packet(esp4).Packet(icmp6).Packet(noNext6).ToArray();

        Assert.Empty(Read(capture, out var statistics));
        Assert.Equal(4, statistics.SkippedNotUdp);
    }

    [Fact]
    public void InconsistentIpAndUdpHeadersAreSkippedAsMalformed()
    {
        var badIhl = Udp4(Payload(4));
        badIhl[0] = 0x44;

        var udpLongerThanIp = Udp4(Payload(4));
        udpLongerThanIp[20 + 5] = 200;

        var udpLengthBelowHeader = Udp6(Payload(4));
        udpLengthBelowHeader[40 + 5] = 7;

        var extensionHeaderPastPayloadLength = IPv6(Initiator6, Responder6, HopByHop, Udp(500, 500, []), ExtensionHeader(Udp, 0));
        extensionHeaderPastPayloadLength[41] = 50;

        var capture = new TestPcapWriter(101)
            .Packet(badIhl)
            .Packet(udpLongerThanIp)
            .Packet(udpLengthBelowHeader)
            .Packet(extensionHeaderPastPayloadLength)
            .ToArray();

        Assert.Empty(Read(capture, out var statistics));
        Assert.Equal(4, statistics.SkippedMalformed);
    }

    [Fact]
    public void EveryFrameIsCountedExactlyOnce()
    {
        var capture = new TestPcapWriter(LinkTypeEthernet)
            .Packet(Ethernet(EtherTypeIPv4, Udp4(Payload(4))))
            .Packet(Ethernet(EtherTypeArp, new byte[28]))
            .Packet(Ethernet(EtherTypeIPv4, IPv4(Initiator4, Responder4, 6, new byte[20])))
            .Packet(Ethernet(EtherTypeIPv4, IPv4(Initiator4, Responder4, Udp, new byte[16], flagsAndOffset: 0x2000)))
            .Packet(new byte[5])
            .ToArray();

        Read(capture, out var s);

        Assert.Equal(5, s.Frames);
        Assert.Equal(s.Frames, s.UdpDatagrams + s.SkippedNotIp + s.SkippedNotUdp + s.SkippedFragments + s.SkippedTruncated + s.SkippedMalformed + s.SkippedUnsupportedLinkType);
    }
}
