using IkeSharp.Cli.Capture;
using static IkeSharp.Cli.Tests.Capture.CaptureTestSupport;
using static IkeSharp.Cli.Tests.Capture.TestPackets;

namespace IkeSharp.Cli.Tests.Capture;

public class PcapFormatTests
{
    private const int LinkTypeEthernet = 1;

    private static readonly DateTimeOffset Epoch1700000000 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    // The four pcap magics: µs/ns timestamps, written little- or big-endian.
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void AllFourMagicVariantsDecodeTheSameDatagramAndTimestamp(bool bigEndian, bool nanoseconds)
    {
        var payload = Payload(40);
        var fraction = nanoseconds ? 123_456_789u : 123_456u;
        var capture = new TestPcapWriter(LinkTypeEthernet, bigEndian, nanoseconds)
            .Packet(Ethernet(EtherTypeIPv4, Udp4(payload, 500, 4500)), fraction: fraction)
            .ToArray();

        var datagram = Assert.Single(Read(capture));

        Assert.Equal(1, datagram.FrameNumber);
        Assert.Equal(EndPoint(Initiator4, 500), datagram.Source);
        Assert.Equal(EndPoint(Responder4, 4500), datagram.Destination);
        Assert.Equal(payload, datagram.Payload.ToArray());

        // ns is truncated to the 100 ns tick: .123456789 -> .1234567.
        var expectedTicks = nanoseconds ? 1_234_567 : 1_234_560;
        Assert.Equal(Epoch1700000000.AddTicks(expectedTicks), datagram.Timestamp);
        Assert.Equal(TimeSpan.Zero, datagram.Timestamp.Offset);
    }

    [Fact]
    public void LinkTypeFieldUpperBitsCarryingFcsLengthAreIgnored()
    {
        // draft-ietf-opsawg-pcap: FCS length lives in the upper bits; 0x14000000 = "FCS present, 4 octets".
        var payload = Payload(10);
        var frame = Ethernet(EtherTypeIPv4, Udp4(payload)).Concat(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }).ToArray();
        var capture = new TestPcapWriter(0x14000000 | LinkTypeEthernet).Packet(frame).ToArray();

        Assert.Equal(payload, Assert.Single(Read(capture)).Payload.ToArray());
    }

    [Fact]
    public void FrameNumbersCountEverySkippedPacketLikeWireshark()
    {
        var tcp = IPv4(Initiator4, Responder4, 6, new byte[20]);
        var arp = Ethernet(EtherTypeArp, new byte[28]);
        var capture = new TestPcapWriter(LinkTypeEthernet)
            .Packet(arp)
            .Packet(Ethernet(EtherTypeIPv4, Udp4(Payload(4, 1))))
            .Packet(Ethernet(EtherTypeIPv4, tcp))
            .Packet(Ethernet(EtherTypeIPv6, Udp6(Payload(4, 2))))
            .ToArray();

        var datagrams = Read(capture, out var statistics);

        Assert.Equal([2, 4], datagrams.Select(d => d.FrameNumber));
        Assert.Equal(4, statistics.Frames);
        Assert.Equal(2, statistics.UdpDatagrams);
        Assert.Equal(1, statistics.SkippedNotIp);
        Assert.Equal(1, statistics.SkippedNotUdp);
    }

    [Fact]
    public void EmptyCaptureWithOnlyAFileHeaderYieldsNothing()
    {
        Assert.Empty(Read(new TestPcapWriter(LinkTypeEthernet).ToArray(), out var statistics));
        Assert.Equal(0, statistics.Frames);
    }

    [Fact]
    public void ReadsFromANonSeekableStreamThatReturnsShortReads()
    {
        var capture = new TestPcapWriter(LinkTypeEthernet)
            .Packet(Ethernet(EtherTypeIPv4, Udp4(Payload(300))))
            .Packet(Ethernet(EtherTypeIPv6, Udp6(Payload(7))))
            .ToArray();

        var datagrams = CaptureFile.ReadUdpDatagrams(new TrickleStream(capture)).ToList();

        Assert.Equal(Read(capture).Select(d => d.Payload.ToArray()), datagrams.Select(d => d.Payload.ToArray()));
    }

    [Fact]
    public void StreamsRecordByRecordInsteadOfReadingTheWholeFile()
    {
        var builder = new TestPcapWriter(LinkTypeEthernet);
        for (var i = 0; i < 200; i++)
        {
            builder.Packet(Ethernet(EtherTypeIPv4, Udp4(Payload(500, (byte)i))));
        }

        var capture = builder.ToArray();
        var stream = new TrickleStream(capture, chunk: 4096);
        using var enumerator = CaptureFile.ReadUdpDatagrams(stream).GetEnumerator();

        Assert.True(enumerator.MoveNext());
        Assert.True(stream.BytesRead < capture.Length / 10, $"read {stream.BytesRead} of {capture.Length} octets for the first datagram");
    }

    [Fact]
    public void EnumerationIsLazyAndRepeatableOverAFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            var capture = new TestPcapWriter(LinkTypeEthernet).Packet(Ethernet(EtherTypeIPv4, Udp4(Payload(12)))).ToArray();
            File.WriteAllBytes(path, capture);
            var datagrams = CaptureFile.ReadUdpDatagrams(path);

            Assert.Single(datagrams);
            Assert.Single(datagrams);

            // The file is closed once enumeration ends, so it can be deleted (matters on Windows).
            File.Delete(path);
            Assert.False(File.Exists(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MissingFileThrowsFileNotFoundWhenEnumerated()
    {
        var datagrams = CaptureFile.ReadUdpDatagrams(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".pcap"));

        Assert.Throws<FileNotFoundException>(() => datagrams.ToList());
    }

    [Fact]
    public void NullArgumentsAreRejectedEagerly()
    {
        Assert.Throws<ArgumentNullException>(() => CaptureFile.ReadUdpDatagrams((Stream)null!));
        Assert.Throws<ArgumentNullException>(() => CaptureFile.ReadUdpDatagrams((string)null!));
    }
}
