using System.Buffers.Binary;

namespace IkeSharp.Cli.Capture;

/// <summary>
/// Classic libpcap file format (draft-ietf-opsawg-pcap; tcpdump.org pcap-savefile(5)): a 24-octet
/// file header followed by records of a 16-octet header and the captured octets.
/// </summary>
internal sealed class PcapFrameReader : FrameReader
{
    public const uint MagicMicroseconds = 0xA1B2C3D4;
    public const uint MagicNanoseconds = 0xA1B23C4D;

    private const int RecordHeaderLength = 16;

    private readonly CaptureInput _input;
    private readonly bool _bigEndian;
    private readonly bool _nanoseconds;
    private readonly int _linkType;

    /// <summary>Reads the rest of the file header; the 4-octet magic has already been consumed.</summary>
    public PcapFrameReader(CaptureInput input, bool bigEndian, bool nanoseconds)
    {
        _input = input;
        _bigEndian = bigEndian;
        _nanoseconds = nanoseconds;

        Span<byte> header = stackalloc byte[20];
        input.ReadExactly(header, "pcap file header");
        var major = ReadUInt16(header[0..]);
        var minor = ReadUInt16(header[2..]);

        // draft-ietf-opsawg-pcap §4: the current version is 2.4; a reader cannot know what a
        // different major version changed, so it must not guess (libpcap rejects them too).
        if (major != 2)
        {
            throw new CaptureFormatException(4, $"unsupported pcap version {major}.{minor} (only 2.x is defined)");
        }

        // Reserved1/Reserved2 (historically thiszone/sigfigs) MUST be ignored by readers; SnapLen is
        // advisory, records are sized by their own CapLen. The LinkType field carries the link type in
        // its lower 16 bits; the upper bits hold FCS-length information we do not need because IP
        // total length already tells where the packet ends.
        _linkType = (int)(ReadUInt32(header[16..]) & 0xFFFF);
    }

    public override bool MoveNext()
    {
        Span<byte> header = stackalloc byte[RecordHeaderLength];
        var recordOffset = _input.Offset;
        if (!_input.TryReadExactly(header, "pcap record header"))
        {
            return false;
        }

        var seconds = ReadUInt32(header[0..]);
        var fraction = ReadUInt32(header[4..]);
        var capturedLength = ReadUInt32(header[8..]);

        if (capturedLength > CaptureInput.MaxRecordLength)
        {
            throw new CaptureFormatException(recordOffset + 8, $"pcap record captured length {capturedLength} is implausibly large");
        }

        // Seconds are unsigned since the epoch; the fraction is µs or ns depending on the magic.
        // Both are 32-bit, so the sum always fits in DateTimeOffset (year 2106 at most).
        var ticks = (seconds * TimeSpan.TicksPerSecond)
            + (_nanoseconds ? fraction / 100 : fraction * TimeSpan.TicksPerMicrosecond);
        Timestamp = DateTimeOffset.UnixEpoch.AddTicks(ticks);
        LinkType = _linkType;
        Data = _input.ReadRecord((int)capturedLength, "pcap packet data");
        return true;
    }

    private ushort ReadUInt16(ReadOnlySpan<byte> source) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(source) : BinaryPrimitives.ReadUInt16LittleEndian(source);

    private uint ReadUInt32(ReadOnlySpan<byte> source) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(source) : BinaryPrimitives.ReadUInt32LittleEndian(source);
}
