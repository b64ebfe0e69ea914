using System.CommandLine;
using System.Globalization;
using IkeSharp.Cli.Capture;
using IkeSharp.Protocol;

namespace IkeSharp.Cli.Decode;

/// <summary>
/// <c>ikesharp decode</c>: explains IKE messages from a capture (UDP 500, and 4500 after the
/// non-ESP marker) or from one message given in hex — the first tool for a tunnel that won't come up.
/// </summary>
internal static class DecodeCommand
{
    public static Command Create()
    {
        var pcap = new Option<FileInfo?>("--pcap") { Description = "pcap or pcapng file (e.g. from tcpdump -w) to decode" };
        var hex = new Option<string?>("--hex") { Description = "one IKE message as hex (whitespace and a leading non-ESP marker allowed)" };
        var json = new Option<bool>("--json") { Description = "print one JSON object per message instead of text" };
        var command = new Command("decode", "Print every IKE message in a capture, or one given in hex, field by field") { pcap, hex, json };
        command.SetAction(result =>
        {
            var file = result.GetValue(pcap);
            var hexText = result.GetValue(hex);
            if ((file is null) == (hexText is null))
            {
                Console.Error.WriteLine("decode: give exactly one of --pcap FILE or --hex HEX");
                return 2;
            }

            var render = result.GetValue(json) ? (Func<Group, string>)JsonRenderer.Render : TextRenderer.Render;
            return file is not null ? DecodeCapture(file, render, Console.Out) : DecodeHex(hexText!, render, Console.Out);
        });
        return command;
    }

    internal static int DecodeHex(string hexText, Func<Group, string> render, TextWriter output)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(string.Concat(hexText.Where(c => !char.IsWhiteSpace(c) && c != ':')));
        }
        catch (FormatException)
        {
            Console.Error.WriteLine("decode: --hex is not a hexadecimal string");
            return 2;
        }

        var marker = UdpEncapsulation.Classify(bytes, UdpEncapsulation.NatTraversalPort, out var offset) == UdpDatagramKind.Ike;
        var ike = marker ? bytes.AsMemory(offset) : bytes;
        var description = MessageDescriber.Describe(new DatagramContext(null, null, null, null, marker), ike);
        output.WriteLine(render(description));
        return description.Fields.Any(f => f.Key == "decodeError") ? 1 : 0;
    }

    internal static int DecodeCapture(FileInfo file, Func<Group, string> render, TextWriter output)
    {
        if (!file.Exists)
        {
            Console.Error.WriteLine($"decode: {file.FullName}: no such file");
            return 2;
        }

        var statistics = new CaptureStatistics();
        var counts = new Dictionary<UdpDatagramKind, int>();
        var undecodable = 0;
        try
        {
            foreach (var datagram in CaptureFile.ReadUdpDatagrams(file.FullName, statistics))
            {
                var port = datagram.Destination.Port is UdpEncapsulation.IkePort or UdpEncapsulation.NatTraversalPort
                    ? datagram.Destination.Port
                    : datagram.Source.Port;
                if (port is not (UdpEncapsulation.IkePort or UdpEncapsulation.NatTraversalPort))
                {
                    continue;
                }

                var kind = UdpEncapsulation.Classify(datagram.Payload.Span, port, out var offset);
                counts[kind] = counts.GetValueOrDefault(kind) + 1;
                if (kind != UdpDatagramKind.Ike)
                {
                    continue;
                }

                var context = new DatagramContext(datagram.FrameNumber, datagram.Timestamp, Endpoint(datagram.Source), Endpoint(datagram.Destination), offset > 0);
                var description = MessageDescriber.Describe(context, datagram.Payload[offset..]);
                undecodable += description.Fields.Any(f => f.Key == "decodeError") ? 1 : 0;
                output.WriteLine(render(description));
            }
        }
        catch (CaptureFormatException e)
        {
            Console.Error.WriteLine($"decode: {file.FullName}: {e.Message}");
            return 2;
        }

        // The summary goes to stderr so --json output stays pure JSON Lines.
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{file.Name}: {statistics.Frames} frames, {counts.GetValueOrDefault(UdpDatagramKind.Ike)} IKE messages ({undecodable} undecodable), " +
            $"{counts.GetValueOrDefault(UdpDatagramKind.Esp)} ESP-in-UDP, {counts.GetValueOrDefault(UdpDatagramKind.NatKeepalive)} NAT-keepalives, " +
            $"{statistics.SkippedFragments} IP fragments skipped"));
        return undecodable > 0 ? 1 : 0;
    }

    private static string Endpoint(System.Net.IPEndPoint endpoint) => endpoint.ToString();
}
