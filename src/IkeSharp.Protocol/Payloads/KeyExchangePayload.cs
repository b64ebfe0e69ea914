namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.4, Key Exchange Payload:

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C|  RESERVED   |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |   Diffie-Hellman Group Num    |           RESERVED            |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                       Key Exchange Data                       ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>KE payload: the sender's public value for one key exchange method.</summary>
public sealed record KeyExchangePayload(KeyExchangeMethod Method, ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.KE;

    public static KeyExchangePayload Read(ref IkeReader reader)
    {
        var method = (KeyExchangeMethod)reader.ReadUInt16("Diffie-Hellman Group Num");
        reader.SkipReserved(2);
        return new KeyExchangePayload(method, reader.ReadRest());
    }

    public override void WriteBody(ref IkeWriter writer)
    {
        writer.WriteUInt16((ushort)Method);
        writer.WriteUInt16(0);
        writer.WriteBytes(Data.Span);
    }
}
