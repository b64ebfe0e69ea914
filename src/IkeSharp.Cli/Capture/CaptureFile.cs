using System.Buffers.Binary;

namespace IkeSharp.Cli.Capture;

/// <summary>
/// Reads the UDP datagrams out of a pcap or pcapng capture, streaming record by record.
/// </summary>
internal static class CaptureFile
{
    /// <inheritdoc cref="ReadUdpDatagrams(Stream, CaptureStatistics)"/>
    public static IEnumerable<CapturedDatagram> ReadUdpDatagrams(Stream stream) =>
        ReadUdpDatagrams(stream, new CaptureStatistics());

    /// <inheritdoc cref="ReadUdpDatagrams(string, CaptureStatistics)"/>
    public static IEnumerable<CapturedDatagram> ReadUdpDatagrams(string path) =>
        ReadUdpDatagrams(path, new CaptureStatistics());

    /// <summary>
    /// Lazily enumerates the UDP datagrams of the capture in <paramref name="stream"/>, which is read
    /// from its current position and not disposed. The format is detected from the first four octets:
    /// a pcap magic (µs or ns, either byte order) or a pcapng Section Header Block.
    /// </summary>
    /// <param name="stream">Capture data.</param>
    /// <param name="statistics">Updated as frames are read; complete once enumeration ends.</param>
    /// <exception cref="CaptureFormatException">
    /// During enumeration, when the file is not a capture or its framing is malformed; datagrams
    /// before the damage have already been produced. Damaged packets inside sound framing are
    /// skipped and counted instead.
    /// </exception>
    public static IEnumerable<CapturedDatagram> ReadUdpDatagrams(Stream stream, CaptureStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(statistics);
        return Enumerate(stream, statistics);
    }

    /// <summary>
    /// Like <see cref="ReadUdpDatagrams(Stream, CaptureStatistics)"/> for the file at
    /// <paramref name="path"/>, which is opened when enumeration starts and closed when it ends.
    /// </summary>
    public static IEnumerable<CapturedDatagram> ReadUdpDatagrams(string path, CaptureStatistics statistics)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(statistics);
        return EnumerateFile(path, statistics);
    }

    private static IEnumerable<CapturedDatagram> EnumerateFile(string path, CaptureStatistics statistics)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024, FileOptions.SequentialScan);
        foreach (var datagram in Enumerate(stream, statistics))
        {
            yield return datagram;
        }
    }

    private static IEnumerable<CapturedDatagram> Enumerate(Stream stream, CaptureStatistics statistics)
    {
        var input = new CaptureInput(stream);
        var reader = OpenReader(input);
        var frameNumber = 0;
        while (reader.MoveNext())
        {
            frameNumber++;
            statistics.Frames++;
            var outcome = PacketDecoder.Decode(reader.LinkType, reader.Data.Span, out var source, out var destination, out var payload);
            switch (outcome)
            {
                case PacketOutcome.Udp:
                    statistics.UdpDatagrams++;
                    yield return new CapturedDatagram(frameNumber, reader.Timestamp, source!, destination!, payload);
                    break;
                case PacketOutcome.UnsupportedLinkType:
                    statistics.SkippedUnsupportedLinkType++;
                    break;
                case PacketOutcome.NotIp:
                    statistics.SkippedNotIp++;
                    break;
                case PacketOutcome.NotUdp:
                    statistics.SkippedNotUdp++;
                    break;
                case PacketOutcome.Fragment:
                    statistics.SkippedFragments++;
                    break;
                case PacketOutcome.Truncated:
                    statistics.SkippedTruncated++;
                    break;
                default:
                    statistics.SkippedMalformed++;
                    break;
            }
        }
    }

    private static FrameReader OpenReader(CaptureInput input)
    {
        Span<byte> magic = stackalloc byte[4];
        if (!input.TryReadExactly(magic, "file magic number"))
        {
            throw new CaptureFormatException(0, "file is empty, expected a pcap or pcapng header");
        }

        // pcap (draft-ietf-opsawg-pcap §4): the magic is written in the writer's byte order, so it
        // reads as the constant in that order and byte-swapped in the other; 0xA1B23C4D marks
        // nanosecond timestamps. pcapng starts with its Section Header Block type (a palindrome).
        var bigEndianMagic = BinaryPrimitives.ReadUInt32BigEndian(magic);
        var littleEndianMagic = BinaryPrimitives.ReadUInt32LittleEndian(magic);
        return (bigEndianMagic, littleEndianMagic) switch
        {
            (PcapFrameReader.MagicMicroseconds, _) => new PcapFrameReader(input, bigEndian: true, nanoseconds: false),
            (_, PcapFrameReader.MagicMicroseconds) => new PcapFrameReader(input, bigEndian: false, nanoseconds: false),
            (PcapFrameReader.MagicNanoseconds, _) => new PcapFrameReader(input, bigEndian: true, nanoseconds: true),
            (_, PcapFrameReader.MagicNanoseconds) => new PcapFrameReader(input, bigEndian: false, nanoseconds: true),
            (PcapNgFrameReader.SectionHeaderBlockType, _) => new PcapNgFrameReader(input),
            _ => throw new CaptureFormatException(0, $"unrecognized magic number 0x{bigEndianMagic:X8}: not a pcap or pcapng file"),
        };
    }
}
