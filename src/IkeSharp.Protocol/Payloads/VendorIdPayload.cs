namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.12, Vendor ID Payload:

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C|  RESERVED   |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                        Vendor ID (VID)                        ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>Vendor ID payload: an opaque value naming an implementation or extension.</summary>
public sealed record VendorIdPayload(ReadOnlyMemory<byte> VendorId) : Payload
{
    public override PayloadType Type => PayloadType.V;

    public static VendorIdPayload Read(ref IkeReader reader) => new(reader.ReadRest());

    public override void WriteBody(ref IkeWriter writer) => writer.WriteBytes(VendorId.Span);
}
