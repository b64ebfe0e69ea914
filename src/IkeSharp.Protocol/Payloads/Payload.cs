namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.2, Generic Payload Header (written by IkeWriter, read by PayloadChain):

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C|  RESERVED   |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>
/// One IKEv2 payload. Subclasses hold the body's fields; opaque data is a slice of the
/// received datagram (no copy). The generic header is handled by <see cref="IkeWriter"/>
/// and <see cref="PayloadChain"/>.
/// </summary>
public abstract record Payload
{
    public const int GenericHeaderSize = 4;

    public abstract PayloadType Type { get; }

    /// <summary>
    /// The C bit as received. RFC 7296 §3.2: senders set it to zero for the payloads it defines;
    /// it matters only for payload types the receiver does not know.
    /// </summary>
    public bool Critical { get; init; }

    /// <summary>Writes the body (everything after the generic header).</summary>
    public abstract void WriteBody(ref IkeWriter writer);

    /// <summary>Encodes just the body, for tests and for AUTH computation over ID payload bodies.</summary>
    public byte[] EncodeBody()
    {
        var buffer = new byte[ushort.MaxValue];
        var writer = new IkeWriter(buffer);
        WriteBody(ref writer);
        return writer.Written.ToArray();
    }
}
