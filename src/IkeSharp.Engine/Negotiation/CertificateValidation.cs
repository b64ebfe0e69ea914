using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IkeSharp.Crypto;
using IkeSharp.Engine.Configuration;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Negotiation;

/// <summary>
/// Checks a peer's X.509 certificate (RFC 7296 §3.6, RFC 4945): it carries an RSA or ECDSA key meant
/// for signing, chains to one of the configured trust anchors (intermediates may come in further CERT
/// payloads) without fetching anything, is valid now, is on none of the configured CRLs, and names
/// the identity the peer claims — its subject DN for ID_DER_ASN1_DN, a subjectAltName for the others.
/// </summary>
public static class CertificateValidation
{
    // RFC 8017 Appendix C rsaEncryption and RFC 5480 §2.1.1 id-ecPublicKey: the keys AUTH can verify.
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";

    // RFC 4945 §5.1.3.12: id-kp-ipsecIKE or anyExtendedKeyUsage. serverAuth and clientAuth are accepted
    // too, as strongSwan, NSS and Windows do, because CAs issue VPN gateways exactly those; so are the
    // RFC 4945-deprecated ipsecEndSystem, ipsecTunnel and ipsecUser of older PKIs.
    private static readonly string[] IkeUsages =
    [
        "1.3.6.1.5.5.7.3.17", "2.5.29.37.0", "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2",
        "1.3.6.1.5.5.7.3.5", "1.3.6.1.5.5.7.3.6", "1.3.6.1.5.5.7.3.7",
    ];

    /// <returns>The end-entity certificate, or null with <paramref name="problem"/> saying why.</returns>
    public static X509Certificate2? Validate(IReadOnlyList<CertificatePayload> certificates, AuthConfig remote, Identity claimed, DateTimeOffset now, out string problem)
    {
        var x509 = certificates.Where(c => c.Encoding == CertificateEncoding.X509_CERTIFICATE_SIGNATURE).ToList();
        if (x509.Count == 0)
        {
            problem = "peer sent no X.509 certificate (CERT payload); it may not have received our CERTREQ or not be configured with a certificate";
            return null;
        }

        X509Certificate2 leaf;
        var intermediates = new X509Certificate2Collection();
        try
        {
            leaf = X509CertificateLoader.LoadCertificate(x509[0].Data.Span);
            foreach (var extra in x509.Skip(1))
            {
                intermediates.Add(X509CertificateLoader.LoadCertificate(extra.Data.Span));
            }
        }
        catch (CryptographicException e)
        {
            problem = $"peer's certificate does not parse: {e.Message}";
            return null;
        }

        if (Unusable(leaf) is { } unusable)
        {
            problem = $"certificate '{leaf.Subject}' {unusable}";
            return null;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(remote.TrustAnchors.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        // The peer is not yet authenticated: nothing it names (AIA, CRL distribution points) is fetched.
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        if (!chain.Build(leaf))
        {
            var reasons = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            problem = $"certificate '{leaf.Subject}' (issuer '{leaf.Issuer}') does not chain to a configured CA ({string.Join(", ", remote.TrustAnchors.Select(a => a.Subject))}): {reasons}";
            return null;
        }

        if (Revoked(chain, remote.RevocationLists) is { } revoked)
        {
            problem = revoked;
            return null;
        }

        if (!Names(leaf, claimed))
        {
            problem = $"certificate '{leaf.Subject}' does not name the identity '{claimed}' ({claimed.Type}) the peer claims; subjectAltNames: {string.Join(", ", AltNames(leaf))}";
            return null;
        }

        problem = "";
        return leaf;
    }

    /// <summary>Why the certificate's key cannot sign IKE AUTH for us (RFC 4945 §5.1.3.2, §5.1.3.12), or null.</summary>
    private static string? Unusable(X509Certificate2 certificate)
    {
        var algorithm = certificate.PublicKey.Oid.Value;
        if (algorithm is not (RsaEncryptionOid or EcPublicKeyOid))
        {
            return $"has a key of algorithm {certificate.PublicKey.Oid.FriendlyName ?? "?"} ({algorithm}); IkeSharp verifies RSA and ECDSA signatures only";
        }

        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is not null && (usage.KeyUsages & (X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation)) == 0)
        {
            return $"may not sign: its key usage is {usage.KeyUsages}, without digitalSignature or nonRepudiation (RFC 4945 §5.1.3.2)";
        }

        var extended = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (extended is not null && !extended.EnhancedKeyUsages.Cast<Oid>().Any(u => IkeUsages.Contains(u.Value)))
        {
            var names = string.Join(", ", extended.EnhancedKeyUsages.Cast<Oid>().Select(u => u.FriendlyName ?? u.Value));
            return $"is not meant for IKE: its extended key usage is {names}, without ipsecIKE, anyExtendedKeyUsage, serverAuth or clientAuth (RFC 4945 §5.1.3.12)";
        }

        return null;
    }

    /// <summary>Which certificate below the anchor a configured CRL of its issuer revokes (RFC 5280 §6.3), or null.</summary>
    private static string? Revoked(X509Chain chain, IReadOnlyList<RevocationList> lists)
    {
        for (var i = 0; i < chain.ChainElements.Count - 1 && lists.Count > 0; i++)
        {
            var certificate = chain.ChainElements[i].Certificate;
            var issuer = chain.ChainElements[i + 1].Certificate;
            foreach (var list in lists.Where(l => l.IsIssuedBy(issuer)))
            {
                if (list.RevocationOf(certificate) is { } when)
                {
                    return $"certificate '{certificate.Subject}' (serial {certificate.SerialNumber}) was revoked on {when:u} by '{issuer.Subject}' ({list.Path})";
                }
            }
        }

        return null;
    }

    /// <summary>SHA-1 hashes of the anchors' SubjectPublicKeyInfo: the CERTREQ Certification Authority field (§3.7).</summary>
    public static byte[] AuthorityHashes(IEnumerable<X509Certificate2> anchors)
    {
#pragma warning disable CA5350 // RFC 7296 §3.7 fixes SHA-1 for CA key identifiers in CERTREQ.
        return [.. anchors.SelectMany(a => SHA1.HashData(a.PublicKey.ExportSubjectPublicKeyInfo()))];
#pragma warning restore CA5350
    }

    private static bool Names(X509Certificate2 certificate, Identity claimed)
    {
        switch (claimed.Type)
        {
            case IdentificationType.ID_DER_ASN1_DN:
                return new Identity(IdentificationType.ID_DER_ASN1_DN, certificate.SubjectName.RawData).Matches(claimed);
            case IdentificationType.ID_FQDN:
            case IdentificationType.ID_RFC822_ADDR:
                var name = Encoding.ASCII.GetString(claimed.Data.Span);
                return AltNames(certificate).Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
            case IdentificationType.ID_IPV4_ADDR:
            case IdentificationType.ID_IPV6_ADDR:
                var address = new IPAddress(claimed.Data.Span).ToString();
                return AltNames(certificate).Contains(address);
            default:
                return false;
        }
    }

    private static IEnumerable<string> AltNames(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        return extension is null ? [] : extension.EnumerateDnsNames().Concat(extension.EnumerateIPAddresses().Select(a => a.ToString()))
            .Concat(EmailNames(extension));
    }

    /// <summary>rfc822Name entries ([1] IA5String) of the subjectAltName, which .NET does not enumerate.</summary>
    private static List<string> EmailNames(X509SubjectAlternativeNameExtension extension)
    {
        var names = new List<string>();
        try
        {
            var reader = new System.Formats.Asn1.AsnReader(extension.RawData, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
            var email = new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 1);
            while (reader.HasData)
            {
                if (reader.PeekTag().HasSameClassAndValue(email))
                {
                    names.Add(reader.ReadCharacterString(System.Formats.Asn1.UniversalTagNumber.IA5String, email));
                }
                else
                {
                    reader.ReadEncodedValue();
                }
            }
        }
        catch (System.Formats.Asn1.AsnContentException)
        {
            // a malformed extension names nobody
        }

        return names;
    }
}
