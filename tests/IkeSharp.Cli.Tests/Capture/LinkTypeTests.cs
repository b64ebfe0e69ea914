using System.Net;
using static IkeSharp.Cli.Tests.Capture.CaptureTestSupport;
using static IkeSharp.Cli.Tests.Capture.TestPackets;

namespace IkeSharp.Cli.Tests.Capture;

public class LinkTypeTests
{
    // BSD AF_INET6 values that LINKTYPE_NULL/LOOP captures use (FreeBSD 28, macOS 30, others 24).
    private const uint AfInet = 2;
    private const uint AfInet6Darwin = 30;

    /// <summary>Every supported link type, with a frame builder that wraps an IP packet of the given version.</summary>
    private static readonly Dictionary<string, (int LinkType, Func<byte[], bool, byte[]> Frame)> Cases = new()
    {
        ["ETHERNET"] = (1, (ip, v6) => Ethernet(v6 ? EtherTypeIPv6 : EtherTypeIPv4, ip)),
        ["RAW"] = (101, (ip, _) => ip),
        ["IPV4"] = (228, (ip, _) => ip),
        ["IPV6"] = (229, (ip, _) => ip),
        ["LINUX_SLL"] = (113, (ip, v6) => LinuxSll(v6 ? EtherTypeIPv6 : EtherTypeIPv4, ip)),
        ["LINUX_SLL2"] = (276, (ip, v6) => LinuxSll2(v6 ? EtherTypeIPv6 : EtherTypeIPv4, ip)),
        ["NULL little-endian"] = (0, (ip, v6) => Loopback(v6 ? 24u : AfInet, bigEndian: false, ip)),
        ["NULL big-endian"] = (0, (ip, v6) => Loopback(v6 ? 28u : AfInet, bigEndian: true, ip)),
        ["LOOP"] = (108, (ip, v6) => Loopback(v6 ? AfInet6Darwin : AfInet, bigEndian: true, ip)),
    };

    public static TheoryData<string, bool> LinkTypesAndIpVersions()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in Cases.Keys)
        {
            if (name != "IPV6")
            {
                data.Add(name, false);
            }

            if (name != "IPV4")
            {
                data.Add(name, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LinkTypesAndIpVersions))]
    public void EachLinkTypeYieldsTheUdpDatagramInPcapAndPcapNg(string name, bool ipv6)
    {
        var (linkType, frame) = Cases[name];
        var payload = Payload(33);
        var packet = ipv6 ? Udp6(payload, 4500, 500) : Udp4(payload, 4500, 500);
        var expectedSource = new IPEndPoint(ipv6 ? Initiator6 : Initiator4, 4500);
        var expectedDestination = new IPEndPoint(ipv6 ? Responder6 : Responder4, 500);

        var pcap = new TestPcapWriter(linkType).Packet(frame(packet, ipv6)).ToArray();
        var pcapng = new TestPcapNgWriter().Section().Interface(linkType).Enhanced(0, 0, frame(packet, ipv6)).ToArray();

        foreach (var capture in new[] { pcap, pcapng })
        {
            var datagram = Assert.Single(Read(capture));
            Assert.Equal(expectedSource, datagram.Source);
            Assert.Equal(expectedDestination, datagram.Destination);
            Assert.Equal(payload, datagram.Payload.ToArray());
        }
    }

    [Theory]
    [InlineData(228)]
    [InlineData(229)]
    public void IpSpecificRawTypesRejectTheOtherVersionAsMalformed(int linkType)
    {
        var packet = linkType == 228 ? Udp6(Payload(4)) : Udp4(Payload(4));

        Assert.Empty(Read(new TestPcapWriter(linkType).Packet(packet).ToArray(), out var statistics));
        Assert.Equal(1, statistics.SkippedMalformed);
    }

    [Fact]
    public void UnknownLinkTypeIsCountedAndSkippedWithoutStoppingTheFile()
    {
        // 105 = IEEE 802.11: not decoded. pcapng lets one file mix it with Ethernet.
        var capture = new TestPcapNgWriter()
            .Section()
            .Interface(105)
            .Interface(1)
            .Enhanced(0, 0, Payload(60))
            .Enhanced(1, 0, Ethernet(EtherTypeIPv4, Udp4(Payload(5))))
            .ToArray();

        var datagram = Assert.Single(Read(capture, out var statistics));

        Assert.Equal(2, datagram.FrameNumber);
        Assert.Equal(1, statistics.SkippedUnsupportedLinkType);
    }

    [Fact]
    public void LoopbackFamilyOtherThanIpIsNotIp()
    {
        var capture = new TestPcapWriter(0).Packet(Loopback(7, bigEndian: false, Udp4(Payload(4)))).ToArray();

        Assert.Empty(Read(capture, out var statistics));
        Assert.Equal(1, statistics.SkippedNotIp);
    }

    [Fact]
    public void CookedCaptureOfNetlinkIsNotIp()
    {
        // ARPHRD_NETLINK (824): the protocol field is a netlink family, even if it happens to read 0x0800.
        var capture = new TestPcapWriter(276).Packet(LinuxSll2(EtherTypeIPv4, Udp4(Payload(4)), arpHardwareType: 824)).ToArray();

        Assert.Empty(Read(capture, out var statistics));
        Assert.Equal(1, statistics.SkippedNotIp);
    }

    [Fact]
    public void RawLinkTypeWithNonIpVersionIsNotIp()
    {
        var packet = Udp4(Payload(4));
        packet[0] = 0x55;

        Assert.Empty(Read(new TestPcapWriter(101).Packet(packet).ToArray(), out var statistics));
        Assert.Equal(1, statistics.SkippedNotIp);
    }
}
