namespace IkeSharp.Cli.Capture;

/// <summary>
/// Sequential reader over the capture stream that tracks the file offset for error messages and
/// keeps one reusable record buffer, so a file of any size is read record by record.
/// </summary>
internal sealed class CaptureInput
{
    /// <summary>
    /// Largest record or block this reader will buffer. libpcap caps snapshot lengths at 256 KiB and
    /// Wireshark's largest per-link-type limit is far below this; anything bigger is a corrupt length.
    /// </summary>
    public const int MaxRecordLength = 64 * 1024 * 1024;

    private const int GrowthStep = 64 * 1024;

    private readonly Stream _stream;
    private byte[] _buffer = new byte[GrowthStep];

    public CaptureInput(Stream stream)
    {
        _stream = stream;
    }

    /// <summary>Bytes consumed so far, i.e. the offset of the next byte from the start of the capture.</summary>
    public long Offset { get; private set; }

    /// <summary>
    /// Fills <paramref name="destination"/>. Returns false at a clean end of file (no byte available);
    /// throws if the file ends part-way, because then a record was cut off.
    /// </summary>
    public bool TryReadExactly(Span<byte> destination, string what)
    {
        var read = _stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        Offset += read;
        if (read == 0 && destination.Length > 0)
        {
            return false;
        }

        if (read < destination.Length)
        {
            throw new CaptureFormatException(Offset - read, $"file ends inside the {what} ({read} of {destination.Length} octets present)");
        }

        return true;
    }

    /// <summary>Fills <paramref name="destination"/> or throws if the file ends first.</summary>
    public void ReadExactly(Span<byte> destination, string what)
    {
        var start = Offset;
        if (!TryReadExactly(destination, what))
        {
            throw new CaptureFormatException(start, $"file ends before the {what}");
        }
    }

    /// <summary>
    /// Reads <paramref name="count"/> octets into the shared buffer and returns them; the memory is
    /// valid until the next call. The buffer grows in steps as data actually arrives, so a corrupt
    /// length near <see cref="MaxRecordLength"/> in a short file costs no large allocation.
    /// </summary>
    public Memory<byte> ReadRecord(int count, string what)
    {
        var start = Offset;
        var filled = 0;
        while (filled < count)
        {
            if (filled == _buffer.Length)
            {
                var grown = new byte[(int)Math.Min(count, Math.Max((long)_buffer.Length * 2, GrowthStep))];
                _buffer.AsSpan(0, filled).CopyTo(grown);
                _buffer = grown;
            }

            var chunk = Math.Min(count, _buffer.Length) - filled;
            var read = _stream.ReadAtLeast(_buffer.AsSpan(filled, chunk), chunk, throwOnEndOfStream: false);
            filled += read;
            Offset += read;
            if (read < chunk)
            {
                throw new CaptureFormatException(start, $"file ends inside the {what} ({filled} of {count} octets present)");
            }
        }

        return _buffer.AsMemory(0, count);
    }

    /// <summary>Skips <paramref name="count"/> octets without buffering them (unknown pcapng blocks).</summary>
    public void Skip(long count, string what)
    {
        var start = Offset;
        if (_stream.CanSeek)
        {
            var remaining = _stream.Length - _stream.Position;
            if (remaining < count)
            {
                throw new CaptureFormatException(start, $"file ends inside the {what} ({remaining} of {count} octets present)");
            }

            _stream.Seek(count, SeekOrigin.Current);
            Offset += count;
            return;
        }

        var left = count;
        while (left > 0)
        {
            var chunk = (int)Math.Min(left, _buffer.Length);
            var read = _stream.ReadAtLeast(_buffer.AsSpan(0, chunk), chunk, throwOnEndOfStream: false);
            Offset += read;
            left -= read;
            if (read < chunk)
            {
                throw new CaptureFormatException(start, $"file ends inside the {what} ({count - left} of {count} octets present)");
            }
        }
    }
}
