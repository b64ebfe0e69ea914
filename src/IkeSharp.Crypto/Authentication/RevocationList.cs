using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Security.Certificates;
using Org.BouncyCastle.X509;

namespace IkeSharp.Crypto;

/// <summary>
/// An X.509 CRL (RFC 5280 §5) loaded from a file the operator keeps current: IkeSharp never fetches
/// one (no CRL distribution point, no OCSP), so validation touches no network. A CRL counts only for
/// certificates of the CA whose name it carries and whose key signed it.
/// </summary>
public sealed class RevocationList
{
    private const string CrlLabel = "X509 CRL";

    private readonly X509Crl _crl;

    private RevocationList(string path, X509Crl crl, byte[] der)
    {
        Path = path;
        _crl = crl;
        Issuer = new X500DistinguishedName(crl.IssuerDN.GetEncoded());
        Fingerprint = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(der));
    }

    /// <summary>SHA-256 of the CRL's DER: whether a reload brought a new one.</summary>
    public string Fingerprint { get; }

    /// <summary>The file it came from, for log lines.</summary>
    public string Path { get; }

    public X500DistinguishedName Issuer { get; }

    /// <summary>RFC 5280 §5.1.2.5: when the issuer promises the next CRL; after it, revocations since are unknown.</summary>
    public DateTimeOffset? NextUpdate => _crl.NextUpdate is { } next ? new DateTimeOffset(next, TimeSpan.Zero) : null;

    /// <summary>Loads a CRL in PEM ("X509 CRL", as <c>openssl ca -gencrl</c> writes) or DER.</summary>
    /// <exception cref="KeyLoadException">The file is unreadable or holds no CRL.</exception>
    public static RevocationList Load(string path)
    {
        using var file = PemFile.Read(path);
        var der = file.Blocks.Count == 0 ? file.Contents : file.Find("a PEM X509 CRL", CrlLabel).Der;
        return FromDer(der, path);
    }

    /// <summary>Parses a DER CRL; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="KeyLoadException">The octets are no CRL.</exception>
    public static RevocationList FromDer(byte[] der, string source)
    {
        X509Crl? crl;
        try
        {
            crl = new X509CrlParser().ReadCrl(der);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidCastException or CrlException)
        {
            throw new KeyLoadException($"{source}: not a valid X.509 CRL ({e.Message}).", e);
        }

        return new RevocationList(source, crl ?? throw new KeyLoadException($"{source}: expected a PEM or DER X.509 CRL."), der);
    }

    /// <summary>Whether <paramref name="issuer"/> (by name and key, §6.3.3 (f)) issued this CRL.</summary>
    public bool IsIssuedBy(X509Certificate2 issuer)
    {
        if (!Issuer.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData))
        {
            return false;
        }

        try
        {
            _crl.Verify(PublicKeyFactory.CreateKey(issuer.PublicKey.ExportSubjectPublicKeyInfo()));
            return true;
        }
        catch (Exception e) when (e is InvalidKeyException or SignatureException or CrlException or ArgumentException or SecurityUtilityException)
        {
            return false;
        }
    }

    /// <summary>When <paramref name="certificate"/> was revoked by this CRL, or null if it is not on it.</summary>
    public DateTimeOffset? RevocationOf(X509Certificate2 certificate)
    {
        var entry = _crl.GetRevokedCertificate(new BigInteger(1, certificate.SerialNumberBytes.Span));
        return entry is null ? null : new DateTimeOffset(entry.RevocationDate, TimeSpan.Zero);
    }
}
