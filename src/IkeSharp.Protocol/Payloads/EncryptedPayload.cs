namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.14, Encrypted Payload (SK):

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C|  RESERVED   |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                     Initialization Vector                     |
    |         (length is block size for encryption algorithm)       |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                    Encrypted IKE Payloads                     ~
    +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |               |             Padding (0-255 octets)            |
    +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
    |                                               |  Pad Length   |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                    Integrity Checksum Data                    ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    The Next Payload field names the first payload inside; SK is always the last payload.
*/

/// <summary>
/// SK payload as received: still encrypted. <see cref="Body"/> is IV, ciphertext and ICV;
/// <see cref="BodyOffset"/> is where the IV starts in the datagram, which is what the crypto
/// layer needs (AEAD covers everything before it as associated data, RFC 5282 §5.1).
/// </summary>
public sealed record EncryptedPayload(PayloadType FirstInnerPayload, ReadOnlyMemory<byte> Body, int BodyOffset) : Payload
{
    public override PayloadType Type => PayloadType.SK;

    public static EncryptedPayload Read(ref IkeReader reader, PayloadType firstInner)
    {
        var offset = reader.Offset;
        return new EncryptedPayload(firstInner, reader.ReadRest(), offset);
    }

    /// <summary>Writes the still-encrypted body; building new SK payloads goes through <see cref="IkeWriter.BeginEncryptedPayload"/>.</summary>
    public override void WriteBody(ref IkeWriter writer) => writer.WriteBytes(Body.Span);
}
