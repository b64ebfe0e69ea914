namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.7, Certificate Request Payload:

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C|  RESERVED   |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Cert Encoding |                                               |
    +-+-+-+-+-+-+-+-+                                               |
    ~                    Certification Authority                    ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>
/// CERTREQ payload. For X.509 the Certification Authority field is a concatenation of SHA-1
/// hashes of trusted CAs' SubjectPublicKeyInfo, 20 octets each (§3.7).
/// </summary>
public sealed record CertificateRequestPayload(CertificateEncoding Encoding, ReadOnlyMemory<byte> CertificationAuthority) : Payload
{
    public const int Sha1HashSize = 20;

    public override PayloadType Type => PayloadType.CERTREQ;

    /// <summary>The 20-octet CA key hashes; a trailing partial hash is ignored.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> AuthorityKeyHashes()
    {
        for (var i = 0; i + Sha1HashSize <= CertificationAuthority.Length; i += Sha1HashSize)
        {
            yield return CertificationAuthority.Slice(i, Sha1HashSize);
        }
    }

    public static CertificateRequestPayload Read(ref IkeReader reader)
    {
        var encoding = (CertificateEncoding)reader.ReadUInt8("Cert Encoding");
        return new CertificateRequestPayload(encoding, reader.ReadRest());
    }

    public override void WriteBody(ref IkeWriter writer)
    {
        writer.WriteUInt8((byte)Encoding);
        writer.WriteBytes(CertificationAuthority.Span);
    }
}
