namespace IkeSharp.Protocol;

/*
    RFC 7383 §2.5, Encrypted Fragment Payload (SKF):

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C|  RESERVED   |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |        Fragment Number        |        Total Fragments        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                     Initialization Vector                     |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                      Encrypted content                        ~
    +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |               |             Padding (0-255 octets)            |
    +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
    |                                               |  Pad Length   |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                    Integrity checksum data                    ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    Next Payload names the first inner payload in fragment 1 and is 0 in the others.
*/

/// <summary>SKF payload: one encrypted fragment of a larger message (RFC 7383).</summary>
public sealed record EncryptedFragmentPayload(
    PayloadType FirstInnerPayload,
    ushort FragmentNumber,
    ushort TotalFragments,
    ReadOnlyMemory<byte> Body,
    int BodyOffset) : Payload
{
    public override PayloadType Type => PayloadType.SKF;

    public static EncryptedFragmentPayload Read(ref IkeReader reader, PayloadType firstInner)
    {
        var start = reader.Offset;
        var number = reader.ReadUInt16("Fragment Number");
        var total = reader.ReadUInt16("Total Fragments");
        if (!reader.Failed && (number == 0 || total == 0 || number > total))
        {
            // RFC 7383 §2.5: numbering starts at 1 and never exceeds Total Fragments.
            reader.FailAt($"fragment {number} of {total} is not a valid fragment number", start);
        }

        var offset = reader.Offset;
        return new EncryptedFragmentPayload(firstInner, number, total, reader.ReadRest(), offset);
    }

    public override void WriteBody(ref IkeWriter writer)
    {
        writer.WriteUInt16(FragmentNumber);
        writer.WriteUInt16(TotalFragments);
        writer.WriteBytes(Body.Span);
    }
}
