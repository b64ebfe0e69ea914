using static IkeSharp.Cli.Tests.Capture.CaptureTestSupport;
using static IkeSharp.Cli.Tests.Capture.TestPackets;

namespace IkeSharp.Cli.Tests.Capture;

public class PcapNgFormatTests
{
    private const int LinkTypeEthernet = 1;
    private const int LinkTypeRaw = 101;

    private static readonly DateTimeOffset Epoch1700000000 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static byte[] Frame(byte seed) => Ethernet(EtherTypeIPv4, Udp4(Payload(13, seed)));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EnhancedSimpleAndObsoletePacketBlocksInEitherByteOrder(bool bigEndian)
    {
        const ulong Microseconds = 1_700_000_000_123_456;
        var capture = new TestPcapNgWriter()
            .Section(bigEndian)
            .Interface(LinkTypeEthernet)
            .Enhanced(0, Microseconds, Frame(1))
            .Simple(Frame(2))
            .Obsolete(0, Microseconds + 1, Frame(3))
            .ToArray();

        var datagrams = Read(capture);

        Assert.Equal([Payload(13, 1), Payload(13, 2), Payload(13, 3)], datagrams.Select(d => d.Payload.ToArray()));
        Assert.Equal([1, 2, 3], datagrams.Select(d => d.FrameNumber));
        Assert.Equal(Epoch1700000000.AddTicks(1_234_560), datagrams[0].Timestamp);

        // The SPB has no timestamp field; the epoch stands for "unknown".
        Assert.Equal(DateTimeOffset.UnixEpoch, datagrams[1].Timestamp);
        Assert.Equal(Epoch1700000000.AddTicks(1_234_570), datagrams[2].Timestamp);
    }

    [Theory]
    [InlineData(null, 1_700_000_000_123_456UL, 1_234_560L)]
    [InlineData((byte)6, 1_700_000_000_123_456UL, 1_234_560L)]
    [InlineData((byte)9, 1_700_000_000_123_456_789UL, 1_234_567L)]
    [InlineData((byte)3, 1_700_000_000_123UL, 1_230_000L)]
    [InlineData((byte)0, 1_700_000_000UL, 0L)]

    // 2^-20 s units (0x80 | 20): 0.5 s is 2^19 units.
    [InlineData((byte)0x94, (1_700_000_000UL << 20) | (1UL << 19), 5_000_000L)]
    public void InterfaceTimestampResolutionIsHonoured(byte? resolution, ulong units, long expectedTicksAfterSecond)
    {
        var capture = new TestPcapNgWriter()
            .Section()
            .Interface(LinkTypeEthernet, resolution: resolution)
            .Enhanced(0, units, Frame(1))
            .ToArray();

        Assert.Equal(Epoch1700000000.AddTicks(expectedTicksAfterSecond), Assert.Single(Read(capture)).Timestamp);
    }

    [Fact]
    public void InterfaceTimestampOffsetIsAddedInSeconds()
    {
        var capture = new TestPcapNgWriter()
            .Section(bigEndian: true)
            .Interface(LinkTypeEthernet, resolution: 9, offsetSeconds: 1_700_000_000)
            .Enhanced(0, 5_000_000_000, Frame(1))
            .ToArray();

        Assert.Equal(Epoch1700000000.AddSeconds(5), Assert.Single(Read(capture)).Timestamp);
    }

    [Fact]
    public void EachInterfaceKeepsItsOwnLinkTypeAndResolution()
    {
        var capture = new TestPcapNgWriter()
            .Section()
            .Interface(LinkTypeEthernet, resolution: 9)
            .Interface(LinkTypeRaw, resolution: 3)
            .Enhanced(1, 1_700_000_000_000, Udp6(Payload(5, 1)))
            .Enhanced(0, 1_700_000_000_000_000_000, Frame(2))
            .ToArray();

        var datagrams = Read(capture);

        Assert.Equal([Payload(5, 1), Payload(13, 2)], datagrams.Select(d => d.Payload.ToArray()));
        Assert.All(datagrams, d => Assert.Equal(Epoch1700000000, d.Timestamp));
    }

    [Fact]
    public void SeveralSectionsWithDifferentByteOrdersEachResetInterfaces()
    {
        var capture = new TestPcapNgWriter()
            .Section(bigEndian: false)
            .Interface(LinkTypeRaw)
            .Interface(LinkTypeRaw)
            .Enhanced(1, 0, Udp4(Payload(4, 1)))
            .Section(bigEndian: true)
            .Interface(LinkTypeEthernet)
            .Enhanced(0, 0, Frame(2))
            .ToArray();

        var datagrams = Read(capture);

        Assert.Equal([Payload(4, 1), Payload(13, 2)], datagrams.Select(d => d.Payload.ToArray()));
        Assert.Equal([1, 2], datagrams.Select(d => d.FrameNumber));

        // Interface 1 of the first section does not exist in the second.
        var stale = new TestPcapNgWriter()
            .Section()
            .Interface(LinkTypeRaw)
            .Interface(LinkTypeRaw)
            .Section(bigEndian: true)
            .Interface(LinkTypeRaw)
            .Enhanced(1, 0, Udp4(Payload(4)))
            .ToArray();
        ReadMalformed(stale);
    }

    [Fact]
    public void UnknownAndUninterestingBlocksAreSkippedByLength()
    {
        var capture = new TestPcapNgWriter()
            .Section()
            .Block(TestPcapNgWriter.NameResolutionType, new byte[24])
            .Interface(LinkTypeEthernet)
            .Block(0x00000BAD, Payload(37))
            .Block(TestPcapNgWriter.InterfaceStatisticsType, new byte[16])
            .Enhanced(0, 0, Frame(1))
            .Block(0x40000BAD, [])
            .ToArray();

        var datagram = Assert.Single(Read(capture, out var statistics));

        Assert.Equal(1, datagram.FrameNumber);
        Assert.Equal(1, statistics.Frames);
    }

    [Fact]
    public void UnknownBlocksAreSkippedOnNonSeekableStreamsToo()
    {
        var capture = new TestPcapNgWriter()
            .Section()
            .Interface(LinkTypeEthernet)
            .Block(0x00000BAD, Payload(37, 9))
            .Block(0x00000BAD, new byte[300_000])
            .Enhanced(0, 0, Frame(1))
            .ToArray();

        Assert.Single(IkeSharp.Cli.Capture.CaptureFile.ReadUdpDatagrams(new TrickleStream(capture, 1000)));
    }

    [Fact]
    public void SimplePacketBlockIsCutToTheInterfaceSnapLength()
    {
        var frame = Frame(1);
        var capture = new TestPcapNgWriter()
            .Section()
            .Interface(LinkTypeEthernet, snapLength: 40)
            .Simple(frame)
            .ToArray();

        Assert.Empty(Read(capture, out var statistics));
        Assert.Equal(1, statistics.SkippedTruncated);
    }

    [Fact]
    public void EnhancedPacketWithCapturedLengthBelowOriginalIsTruncated()
    {
        var frame = Frame(1);
        var capture = new TestPcapNgWriter()
            .Section()
            .Interface(LinkTypeEthernet)
            .Enhanced(0, 0, frame[..50], originalLength: (uint)frame.Length)
            .ToArray();

        Assert.Empty(Read(capture, out var statistics));
        Assert.Equal(1, statistics.SkippedTruncated);
    }

    [Fact]
    public void VersionOnePointTwoIsReadLikeOnePointZero()
    {
        var capture = new TestPcapNgWriter().Section(minor: 2).Interface(LinkTypeEthernet).Enhanced(0, 0, Frame(1)).ToArray();

        Assert.Single(Read(capture));
    }
}
