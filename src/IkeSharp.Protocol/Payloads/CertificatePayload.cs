namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.6, Certificate Payload:

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C|  RESERVED   |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Cert Encoding |                                               |
    +-+-+-+-+-+-+-+-+                                               |
    ~                       Certificate Data                        ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>CERT payload: a certificate (usually DER X.509), CRL or raw public key.</summary>
public sealed record CertificatePayload(CertificateEncoding Encoding, ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.CERT;

    public static CertificatePayload Read(ref IkeReader reader)
    {
        var encoding = (CertificateEncoding)reader.ReadUInt8("Cert Encoding");
        return new CertificatePayload(encoding, reader.ReadRest());
    }

    public override void WriteBody(ref IkeWriter writer)
    {
        writer.WriteUInt8((byte)Encoding);
        writer.WriteBytes(Data.Span);
    }
}
