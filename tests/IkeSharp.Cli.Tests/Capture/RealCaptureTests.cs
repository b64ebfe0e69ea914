using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using IkeSharp.Cli.Capture;

namespace IkeSharp.Cli.Tests.Capture;

/// <summary>
/// Captures written by tcpdump 4.99.3/libpcap 1.10.3 and dumpcap 4.0.17 (TestData/generate.sh):
/// two datagrams sent to port 500 on a namespace's loopback, 127.0.0.1:50000 -> 127.0.0.1:500 and
/// [::1]:50001 -> [::1]:500. Expected timestamps are those tshark reports, cut to 100 ns ticks.
/// </summary>
public class RealCaptureTests
{
    private static readonly DateTimeOffset FirstSecond = DateTimeOffset.FromUnixTimeSeconds(1_795_383_464);

    [Theory]
    [InlineData("lo-ethernet-usec.pcap", 1_071_260L, 3_073_040L)]
    [InlineData("any-sll2-nsec.pcap", 1_071_260L, 3_073_045L)]
    [InlineData("any-sll-usec.pcap", 1_071_260L, 3_073_040L)]
    [InlineData("lo-ethernet-nsec.pcapng", 1_071_260L, 3_073_045L)]
    public void DecodesExactlyTheTwoDatagramsSent(string file, long firstTicks, long secondTicks)
    {
        var statistics = new CaptureStatistics();

        var datagrams = CaptureFile.ReadUdpDatagrams(TestDataPath(file), statistics).ToList();

        Assert.Equal(2, statistics.Frames);
        Assert.Equal(2, datagrams.Count);

        Assert.Equal(1, datagrams[0].FrameNumber);
        Assert.Equal(FirstSecond.AddTicks(firstTicks), datagrams[0].Timestamp);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 50000), datagrams[0].Source);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 500), datagrams[0].Destination);
        Assert.Equal("IkeSharp capture test: IPv4 datagram one", Encoding.ASCII.GetString(datagrams[0].Payload.Span));

        Assert.Equal(2, datagrams[1].FrameNumber);
        Assert.Equal(FirstSecond.AddTicks(secondTicks), datagrams[1].Timestamp);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 50001), datagrams[1].Source);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 500), datagrams[1].Destination);
        Assert.Equal("IkeSharp capture test: IPv6 datagram two!", Encoding.ASCII.GetString(datagrams[1].Payload.Span));
    }

    /// <summary>
    /// The files are copied next to the test assembly when the project says so; otherwise they are
    /// read from the source tree beside this file.
    /// </summary>
    private static string TestDataPath(string file, [CallerFilePath] string sourceFile = "")
    {
        var copied = Path.Combine(AppContext.BaseDirectory, "Capture", "TestData", file);
        return File.Exists(copied) ? copied : Path.Combine(Path.GetDirectoryName(sourceFile)!, "TestData", file);
    }
}
