namespace IkeSharp.Cli.Capture;

/// <summary>
/// One file format's record walker: each <see cref="MoveNext"/> advances to the next packet record,
/// exposing its link-layer header type, timestamp and captured octets.
/// </summary>
internal abstract class FrameReader
{
    /// <summary>LINKTYPE_* value (tcpdump.org link-layer header types) of the current frame.</summary>
    public int LinkType { get; protected set; }

    public DateTimeOffset Timestamp { get; protected set; }

    /// <summary>Captured octets of the current frame; only valid until the next <see cref="MoveNext"/>.</summary>
    public ReadOnlyMemory<byte> Data { get; protected set; }

    /// <summary>Advances to the next packet record; false at end of file.</summary>
    public abstract bool MoveNext();
}
