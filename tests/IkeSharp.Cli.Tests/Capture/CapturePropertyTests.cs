using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using IkeSharp.Cli.Capture;
using static IkeSharp.Cli.Tests.Capture.TestPackets;

namespace IkeSharp.Cli.Tests.Capture;

/// <summary>
/// Whatever the input, the reader either yields datagrams or throws CaptureFormatException — never
/// another exception type, and never hangs.
/// </summary>
public class CapturePropertyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static readonly byte[][] Magics =
    [
        [0xD4, 0xC3, 0xB2, 0xA1],
        [0xA1, 0xB2, 0xC3, 0xD4],
        [0x4D, 0x3C, 0xB2, 0xA1],
        [0xA1, 0xB2, 0x3C, 0x4D],
        [0x0A, 0x0D, 0x0D, 0x0A],
    ];

    /// <summary>Small valid captures exercising most code paths, to be mutated.</summary>
    private static readonly byte[][] Seeds =
    [
        new TestPcapWriter(1)
            .Packet(Ethernet(EtherTypeIPv4, Udp4(Payload(20))))
            .Packet(Ethernet(EtherTypeIPv6, Udp6(Payload(20)), (0x8100, 5)))
            .ToArray(),
        new TestPcapWriter(276, bigEndian: true, nanoseconds: true)
            .Packet(LinuxSll2(EtherTypeIPv6, IPv6(Initiator6, Responder6, 0, Udp(500, 500, Payload(9)), ExtensionHeader(17, 1))))
            .ToArray(),
        new TestPcapNgWriter()
            .Section()
            .Interface(113, snapLength: 64)
            .Interface(1, resolution: 9)
            .Enhanced(1, 1_700_000_000_000_000_000, Ethernet(EtherTypeIPv4, Udp4(Payload(16))))
            .Block(5, new byte[12])
            .Simple(LinuxSll(EtherTypeIPv4, Udp4(Payload(8))))
            .Section(bigEndian: true)
            .Interface(0, resolution: 0x94, offsetSeconds: 10)
            .Obsolete(0, 123456, Loopback(2, true, Udp4(Payload(8))))
            .Enhanced(0, 42, Loopback(30, true, Udp6(Payload(8))))
            .ToArray(),
    ];

    [Property(MaxTest = 500)]
    public void ArbitraryBytesNeverThrowAnythingButCaptureFormatException(byte[] data, bool nonSeekable)
    {
        AssertReadsOrFailsCleanly(data, nonSeekable);
    }

    [Property(MaxTest = 1000)]
    public void ArbitraryBytesAfterAValidMagicNeverThrowAnythingButCaptureFormatException(byte[] data, NonNegativeInt magic, bool nonSeekable)
    {
        AssertReadsOrFailsCleanly([.. Magics[magic.Get % Magics.Length], .. data], nonSeekable);
    }

    [Property(MaxTest = 2000)]
    public void MutatedValidCapturesNeverThrowAnythingButCaptureFormatException(NonNegativeInt seed, int[] positions, byte[] values, NonNegativeInt cut, bool nonSeekable)
    {
        var capture = (byte[])Seeds[seed.Get % Seeds.Length].Clone();
        for (var i = 0; i < Math.Min(positions.Length, values.Length); i++)
        {
            capture[(int)((uint)positions[i] % (uint)capture.Length)] = values[i];
        }

        // Sometimes also cut the file short.
        var length = cut.Get % 4 == 0 ? capture.Length - (cut.Get % capture.Length) : capture.Length;
        AssertReadsOrFailsCleanly(capture[..length], nonSeekable);
    }

    [Property(MaxTest = 300)]
    public Property SingleOctetMutationsOfAValidCaptureNeverThrowAnythingButCaptureFormatException() =>
        Prop.ForAll(
            Gen.Elements(Seeds).SelectMany(s => Gen.Choose(0, s.Length - 1).SelectMany(p => ArbMap.Default.GeneratorFor<byte>().Select(v => (Seed: s, Position: p, Value: v)))).ToArbitrary(),
            m =>
            {
                var capture = (byte[])m.Seed.Clone();
                capture[m.Position] = m.Value;
                AssertReadsOrFailsCleanly(capture, nonSeekable: false);
            });

    [Fact]
    public void SeedsAreValidCaptures()
    {
        Assert.Equal(2, CaptureTestSupport.Read(Seeds[0]).Count);
        Assert.Single(CaptureTestSupport.Read(Seeds[1]));
        Assert.Equal(4, CaptureTestSupport.Read(Seeds[2]).Count);
    }

    private static void AssertReadsOrFailsCleanly(byte[] data, bool nonSeekable)
    {
        var task = Task.Run(() =>
        {
            Stream stream = nonSeekable ? new TrickleStream(data, 7) : new MemoryStream(data);
            try
            {
                foreach (var datagram in CaptureFile.ReadUdpDatagrams(stream))
                {
                    Assert.True(datagram.FrameNumber >= 1);
                    Assert.NotNull(datagram.Source);
                    Assert.NotNull(datagram.Destination);
                }
            }
            catch (CaptureFormatException exception)
            {
                Assert.InRange(exception.Offset, 0, data.Length);
            }
        });

        Assert.True(task.Wait(Deadline), "reader did not finish within the deadline");
    }
}
