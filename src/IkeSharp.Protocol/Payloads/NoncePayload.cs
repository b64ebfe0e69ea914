namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.9, Nonce Payload (Ni, Nr):

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C|  RESERVED   |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                            Nonce Data                         ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>Nonce payload. §3.9: the nonce is 16 to 256 octets.</summary>
public sealed record NoncePayload(ReadOnlyMemory<byte> Data) : Payload
{
    public const int MinLength = 16;
    public const int MaxLength = 256;

    public override PayloadType Type => PayloadType.Nonce;

    public static NoncePayload Read(ref IkeReader reader)
    {
        var start = reader.Offset;
        var data = reader.ReadRest();
        if (!reader.Failed && data.Length is < MinLength or > MaxLength)
        {
            reader.FailAt($"nonce of {data.Length} octets is outside {MinLength}..{MaxLength} (RFC 7296 §3.9)", start);
        }

        return new NoncePayload(data);
    }

    public override void WriteBody(ref IkeWriter writer) => writer.WriteBytes(Data.Span);
}
