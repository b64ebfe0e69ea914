namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.16, Extensible Authentication Protocol (EAP) Payload:

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C|  RESERVED   |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                       EAP Message                             ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>EAP payload, kept opaque: IkeSharp relays or ignores EAP, it does not parse it.</summary>
public sealed record EapPayload(ReadOnlyMemory<byte> Message) : Payload
{
    public override PayloadType Type => PayloadType.EAP;

    public static EapPayload Read(ref IkeReader reader) => new(reader.ReadRest());

    public override void WriteBody(ref IkeWriter writer) => writer.WriteBytes(Message.Span);
}
