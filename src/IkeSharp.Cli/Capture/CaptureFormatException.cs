namespace IkeSharp.Cli.Capture;

/// <summary>
/// The capture file is not a pcap or pcapng file, or its framing (file header, record header,
/// block length) is malformed. Problems inside a single packet never raise this: such packets are
/// skipped and counted in <see cref="CaptureStatistics"/>.
/// </summary>
internal sealed class CaptureFormatException : Exception
{
    public CaptureFormatException()
    {
    }

    public CaptureFormatException(string message)
        : base(message)
    {
    }

    public CaptureFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CaptureFormatException(long offset, string message)
        : base($"capture file offset {offset}: {message}")
    {
        Offset = offset;
    }

    /// <summary>Byte offset, from the start of the capture, of the structure that is wrong; -1 if unknown.</summary>
    public long Offset { get; } = -1;
}
