using static IkeSharp.Cli.Tests.Capture.CaptureTestSupport;
using static IkeSharp.Cli.Tests.Capture.TestPackets;

namespace IkeSharp.Cli.Tests.Capture;

/// <summary>Broken framing must raise CaptureFormatException, with the offset of the broken structure.</summary>
public class MalformedCaptureTests
{
    private const int LinkTypeEthernet = 1;

    // File offsets in a TestPcapNgWriter capture: the SHB with its shb_userappl option is 52 octets.
    private const int FirstBlockAfterSectionHeader = 52;

    private static byte[] Frame => Ethernet(EtherTypeIPv4, Udp4(Payload(13)));

    private static TestPcapNgWriter Section(bool bigEndian = false) => new TestPcapNgWriter().Section(bigEndian);

    [Fact]
    public void EmptyFile()
    {
        Assert.Equal(0, ReadMalformed([]).Offset);
    }

    [Theory]
    [InlineData(new byte[] { 0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0 })]
    [InlineData(new byte[] { 0xA1, 0xB2 })]
    [InlineData(new byte[] { 0xD4, 0xC3, 0xB2, 0xA0, 2, 0, 4, 0 })]
    public void BadMagic(byte[] capture)
    {
        var exception = ReadMalformed(capture);

        Assert.Equal(0, exception.Offset);
    }

    [Fact]
    public void ModifiedPcapMagicIsNotAccepted()
    {
        // Kuznetzov's patched libpcap (0xA1B2CD34) has a longer record header; not supported.
        Assert.Contains("magic", ReadMalformed(new TestPcapWriter(LinkTypeEthernet, magic: 0xA1B2CD34).ToArray()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PcapFileHeaderCutShort()
    {
        ReadMalformed(new TestPcapWriter(LinkTypeEthernet).ToArray()[..20]);
    }

    [Fact]
    public void PcapUnsupportedMajorVersion()
    {
        Assert.Equal(4, ReadMalformed(new TestPcapWriter(LinkTypeEthernet, major: 3).ToArray()).Offset);
    }

    [Fact]
    public void PcapRecordCutShortAfterAGoodOneStillYieldsTheGoodOne()
    {
        var capture = new TestPcapWriter(LinkTypeEthernet).Packet(Frame).Packet(Frame).ToArray();
        var cut = capture[..^5];
        var seen = new List<int>();

        var exception = Assert.Throws<IkeSharp.Cli.Capture.CaptureFormatException>(() =>
        {
            foreach (var datagram in IkeSharp.Cli.Capture.CaptureFile.ReadUdpDatagrams(new MemoryStream(cut)))
            {
                seen.Add(datagram.FrameNumber);
            }
        });

        Assert.Equal([1], seen);

        // The second record starts after the file header (24) and the first record (16 + frame).
        Assert.Equal(24 + 16 + Frame.Length + 16, exception.Offset);
    }

    [Fact]
    public void PcapRecordHeaderCutShort()
    {
        var capture = new TestPcapWriter(LinkTypeEthernet).Raw([1, 2, 3, 4, 5, 6]).ToArray();

        Assert.Equal(24, ReadMalformed(capture).Offset);
    }

    [Fact]
    public void PcapCapturedLengthImplausiblyLarge()
    {
        var capture = new TestPcapWriter(LinkTypeEthernet).Packet([], capturedLength: 0x7FFF_FFFF).ToArray();

        ReadMalformed(capture);
    }

    [Fact]
    public void PcapCapturedLengthBeyondEndOfFileDoesNotAllocateItUpFront()
    {
        // 60 MiB claimed, 3 octets present: must fail fast on end of file.
        var capture = new TestPcapWriter(LinkTypeEthernet).Packet([1, 2, 3], capturedLength: 60 * 1024 * 1024).ToArray();

        // Offset of the packet data, after the file header and the record header.
        Assert.Equal(24 + 16, ReadMalformed(capture).Offset);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PcapNgBlockLengthNotMultipleOfFour(bool bigEndian)
    {
        var capture = Section(bigEndian).RawBlock(TestPcapNgWriter.EnhancedPacketType, 30, new byte[18], 30).ToArray();

        var exception = ReadMalformed(capture);

        Assert.Equal(FirstBlockAfterSectionHeader + 4, exception.Offset);
        Assert.Contains("multiple of 4", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestPcapNgWriter.EnhancedPacketType)]
    [InlineData(0x00000BADu)]
    public void PcapNgTrailingLengthDiffersFromLeadingLength(uint blockType)
    {
        var capture = Section().Interface(LinkTypeEthernet).RawBlock(blockType, 36, new byte[24], 40).ToArray();

        Assert.Contains("trailing total length 40", ReadMalformed(capture).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PcapNgBlockLengthBelowFramingSize()
    {
        ReadMalformed(Section().RawBlock(0x00000BAD, 8, [], 8).ToArray());
    }

    [Fact]
    public void PcapNgBlockLongerThanTheFile()
    {
        ReadMalformed(Section().RawBlock(0x00000BAD, 1024, new byte[8], 1024).ToArray());
    }

    [Fact]
    public void PcapNgSectionHeaderWithBadByteOrderMagic()
    {
        var capture = Section().ToArray();
        capture[8] = 0x4E;

        Assert.Equal(8, ReadMalformed(capture).Offset);
    }

    [Fact]
    public void PcapNgSectionHeaderTooShort()
    {
        byte[] capture = [0x0A, 0x0D, 0x0D, 0x0A, 24, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0, 0, 0, 0, 0, 24, 0, 0, 0];

        ReadMalformed(capture);
    }

    [Fact]
    public void PcapNgUnsupportedMajorVersion()
    {
        ReadMalformed(new TestPcapNgWriter().Section(major: 2).ToArray());
    }

    [Fact]
    public void PcapNgSecondSectionHeaderMalformed()
    {
        var capture = Section().Interface(LinkTypeEthernet).Enhanced(0, 0, Frame).Raw([0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0, 0, 0, 0]).ToArray();

        ReadMalformed(capture);
    }

    [Fact]
    public void PcapNgPacketBeforeAnyInterface()
    {
        ReadMalformed(Section().Enhanced(0, 0, Frame).ToArray());
        ReadMalformed(Section().Simple(Frame).ToArray());
        ReadMalformed(Section().Obsolete(0, 0, Frame).ToArray());
    }

    [Fact]
    public void PcapNgCapturedLengthBeyondTheBlock()
    {
        var capture = Section().Interface(LinkTypeEthernet).Enhanced(0, 0, Frame, capturedLength: 1000).ToArray();

        Assert.Equal(FirstBlockAfterSectionHeader + 32, ReadMalformed(capture).Offset);
    }

    [Fact]
    public void PcapNgPacketBlockBodiesTooShort()
    {
        ReadMalformed(Section().Interface(LinkTypeEthernet).Block(TestPcapNgWriter.EnhancedPacketType, new byte[16]).ToArray());
        ReadMalformed(Section().Interface(LinkTypeEthernet).Block(TestPcapNgWriter.ObsoletePacketType, new byte[8]).ToArray());
        ReadMalformed(Section().Interface(LinkTypeEthernet).Block(TestPcapNgWriter.SimplePacketType, []).ToArray());
        ReadMalformed(Section().Block(TestPcapNgWriter.InterfaceDescriptionType, new byte[4]).ToArray());
    }

    [Fact]
    public void PcapNgOptionRunningPastItsBlock()
    {
        // link type, reserved, snap length, then an option claiming 64 octets.
        byte[] body = [1, 0, 0, 0, 0, 0, 0, 0, 9, 0, 64, 0, 6, 0, 0, 0];

        ReadMalformed(Section().Block(TestPcapNgWriter.InterfaceDescriptionType, body).ToArray());
    }

    [Theory]
    [InlineData((byte)0)]
    [InlineData((byte)0x80)]
    public void PcapNgTimestampBeyondYear9999(byte resolution)
    {
        var capture = Section().Interface(LinkTypeEthernet, resolution: resolution).Enhanced(0, ulong.MaxValue, Frame).ToArray();

        Assert.Contains("timestamp", ReadMalformed(capture).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PcapNgTimestampOffsetBeforeYearOne()
    {
        var capture = Section().Interface(LinkTypeEthernet, offsetSeconds: long.MinValue).Enhanced(0, 0, Frame).ToArray();

        ReadMalformed(capture);
    }

    [Fact]
    public void PcapNgFileEndingInsideBlockHeader()
    {
        var capture = Section().Interface(LinkTypeEthernet).Raw([6, 0, 0, 0, 32]).ToArray();

        ReadMalformed(capture);
    }
}
