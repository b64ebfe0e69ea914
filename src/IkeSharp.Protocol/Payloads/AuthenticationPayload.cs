namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.8, Authentication Payload:

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C|  RESERVED   |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Auth Method   |                RESERVED                       |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                      Authentication Data                      ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>AUTH payload: a PSK MAC or a signature over the signed octets (§2.15).</summary>
public sealed record AuthenticationPayload(AuthenticationMethod Method, ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.AUTH;

    public static AuthenticationPayload Read(ref IkeReader reader)
    {
        var method = (AuthenticationMethod)reader.ReadUInt8("Auth Method");
        reader.SkipReserved(3);
        return new AuthenticationPayload(method, reader.ReadRest());
    }

    public override void WriteBody(ref IkeWriter writer)
    {
        writer.WriteUInt8((byte)Method);
        writer.WriteZeros(3);
        writer.WriteBytes(Data.Span);
    }
}
