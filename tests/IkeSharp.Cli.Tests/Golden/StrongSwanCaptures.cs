using System.Text.RegularExpressions;
using IkeSharp.Cli.Capture;
using IkeSharp.Protocol;

namespace IkeSharp.Cli.Tests.Golden;

/// <summary>One IKE message seen in a capture, with the raw datagram octets (after any non-ESP marker).</summary>
internal sealed record CapturedIkeMessage(string Case, int Frame, int SourcePort, byte[] Octets, IkeMessage Message);

/// <summary>
/// The strongSwan 5.9.8 captures in interop-tests/captures (made by capture.sh there): real
/// IKE_SA_INIT/IKE_AUTH/INFORMATIONAL traffic for several proposal sets, with strongSwan's own
/// logs and the keys it derived.
/// </summary>
internal static partial class StrongSwanCaptures
{
    public static string Directory { get; } = Path.Combine(RepositoryRoot(), "interop-tests", "captures");

    public static IEnumerable<string> Cases => System.IO.Directory.GetFiles(Directory, "*.pcap").Select(Path.GetFileNameWithoutExtension).Order()!;

    public static IReadOnlyList<CapturedIkeMessage> Messages(string @case)
    {
        var messages = new List<CapturedIkeMessage>();
        foreach (var datagram in CaptureFile.ReadUdpDatagrams(Path.Combine(Directory, @case + ".pcap")))
        {
            var port = datagram.Destination.Port;
            if (UdpEncapsulation.Classify(datagram.Payload.Span, port, out var offset) != UdpDatagramKind.Ike)
            {
                continue;
            }

            var octets = datagram.Payload[offset..].ToArray();
            messages.Add(new CapturedIkeMessage(@case, datagram.FrameNumber, datagram.Source.Port, octets, IkeMessage.Decode(octets)));
        }

        return messages;
    }

    /// <summary>The message summaries strongSwan logged ("generating"/"parsed" lines), from both daemons.</summary>
    public static HashSet<string> LoggedSummaries(string @case)
    {
        var lines = new[] { "initiator", "responder" }
            .SelectMany(side => File.ReadLines(Path.Combine(Directory, $"{@case}.{side}.log")));
        return [.. lines.Select(l => SummaryLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value)];
    }

    [GeneratedRegex(@"(?:parsed|generating) ([A-Z_]+ (?:request|response) \d+ \[.*\])")]
    private static partial Regex SummaryLine();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IkeSharp.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("test run outside the IkeSharp repository: IkeSharp.sln not found above " + AppContext.BaseDirectory);
    }
}
