using IkeSharp.Cli.Capture;

namespace IkeSharp.Cli.Tests.Capture;

internal static class CaptureTestSupport
{
    public static List<CapturedDatagram> Read(byte[] capture) => Read(capture, out _);

    public static List<CapturedDatagram> Read(byte[] capture, out CaptureStatistics statistics)
    {
        statistics = new CaptureStatistics();
        using var stream = new MemoryStream(capture, writable: false);
        return [.. CaptureFile.ReadUdpDatagrams(stream, statistics)];
    }

    /// <summary>Enumerates fully and returns the exception, asserting it is a <see cref="CaptureFormatException"/>.</summary>
    public static CaptureFormatException ReadMalformed(byte[] capture) =>
        Assert.Throws<CaptureFormatException>(() => Read(capture));
}

/// <summary>
/// A stream that cannot seek and hands out at most <c>chunk</c> octets per read, like a pipe; it
/// proves the reader neither seeks nor assumes full reads.
/// </summary>
internal sealed class TrickleStream(byte[] data, int chunk = 3) : Stream
{
    private int _position;

    public int BytesRead => _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = Math.Min(Math.Min(buffer.Length, chunk), data.Length - _position);
        data.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
