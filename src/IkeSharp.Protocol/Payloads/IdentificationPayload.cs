namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.5, Identification Payloads (IDi and IDr):

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C|  RESERVED   |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |   ID Type     |                 RESERVED                      |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                   Identification Data                         ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>IDi or IDr payload. The AUTH computation signs this payload's body (§2.15).</summary>
public sealed record IdentificationPayload(PayloadType Type, Identity Identity) : Payload
{
    public override PayloadType Type { get; } = Type is PayloadType.IDi or PayloadType.IDr
        ? Type
        : throw new ArgumentException($"an identification payload is IDi or IDr, not {Type}", nameof(Type));

    public static IdentificationPayload Read(ref IkeReader reader, PayloadType type)
    {
        var start = reader.Offset;
        var idType = (IdentificationType)reader.ReadUInt8("ID Type");
        reader.SkipReserved(3);
        var data = reader.ReadRest();
        var expected = idType switch
        {
            IdentificationType.ID_IPV4_ADDR => 4,
            IdentificationType.ID_IPV6_ADDR => 16,
            _ => -1,
        };
        if (!reader.Failed && expected >= 0 && data.Length != expected)
        {
            reader.FailAt($"{idType} carries {data.Length} octets, must be {expected}", start);
        }

        return new IdentificationPayload(type, new Identity(idType, data));
    }

    public override void WriteBody(ref IkeWriter writer)
    {
        writer.WriteUInt8((byte)Identity.Type);
        writer.WriteZeros(3);
        writer.WriteBytes(Identity.Data.Span);
    }
}
