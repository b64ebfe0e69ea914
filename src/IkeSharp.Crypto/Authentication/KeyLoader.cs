using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IkeSharp.Crypto;

/// <summary>
/// Loads the keys and certificates IKE authentication uses, in the forms OpenSSL, strongSwan and
/// Libreswan configurations hold them. Keys come back as <see cref="RSA"/> or <see cref="ECDsa"/>.
/// </summary>
public static class KeyLoader
{
    // RFC 8017 Appendix C rsaEncryption and RFC 5480 §2.1.1 id-ecPublicKey.
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";

    private const string PrivateKeyLabel = "PRIVATE KEY";
    private const string RsaPrivateKeyLabel = "RSA PRIVATE KEY";
    private const string EcPrivateKeyLabel = "EC PRIVATE KEY";
    private const string EncryptedPrivateKeyLabel = "ENCRYPTED PRIVATE KEY";
    private const string PublicKeyLabel = "PUBLIC KEY";
    private const string RsaPublicKeyLabel = "RSA PUBLIC KEY";
    private const string CertificateLabel = "CERTIFICATE";

    /// <summary>
    /// Loads an RSA or EC private key from PEM: PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") or
    /// SEC1 ("EC PRIVATE KEY"). Encrypted keys are refused with a hint on decrypting them.
    /// </summary>
    /// <exception cref="KeyLoadException">The file is unreadable or holds no usable private key.</exception>
    public static AsymmetricAlgorithm LoadPrivateKey(string path)
    {
        using var file = PemFile.Read(path);
        var (label, der) = file.Find(
            "a PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)",
            PrivateKeyLabel, RsaPrivateKeyLabel, EcPrivateKeyLabel, EncryptedPrivateKeyLabel);
        return label switch
        {
            RsaPrivateKeyLabel => Import(path, label, RSA.Create(), key => key.ImportRSAPrivateKey(der, out _)),
            EcPrivateKeyLabel => Import(path, label, ECDsa.Create(), key => key.ImportECPrivateKey(der, out _)),
            EncryptedPrivateKeyLabel => throw new KeyLoadException(
                $"{path}: found an ENCRYPTED PRIVATE KEY, which is not supported; decrypt it with `openssl pkcs8 -in FILE -out FILE`."),
            _ => ReadAlgorithmOid(path, label, der, isPrivateKeyInfo: true) switch
            {
                RsaEncryptionOid => Import(path, label, RSA.Create(), key => key.ImportPkcs8PrivateKey(der, out _)),
                EcPublicKeyOid => Import(path, label, ECDsa.Create(), key => key.ImportPkcs8PrivateKey(der, out _)),
                var oid => throw UnsupportedAlgorithm(path, label, oid),
            },
        };
    }

    /// <summary>
    /// Loads a public key: PEM SubjectPublicKeyInfo ("PUBLIC KEY", as <c>openssl rsa -pubout</c> writes and
    /// strongSwan's <c>rightrsasigkey=</c> reads), PKCS#1 "RSA PUBLIC KEY", or the key of an X.509
    /// certificate in PEM or DER.
    /// </summary>
    /// <exception cref="KeyLoadException">The file is unreadable or holds no usable public key.</exception>
    public static AsymmetricAlgorithm LoadPublicKey(string path)
    {
        using var file = PemFile.Read(path);
        if (file.Blocks.Count == 0)
        {
            using var certificate = LoadDerCertificate(file, "a public key (PEM PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE, or a DER certificate)");
            return PublicKeyOf(path, certificate);
        }

        var (label, der) = file.Find(
            "a public key (PEM PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE)", PublicKeyLabel, RsaPublicKeyLabel, CertificateLabel);
        switch (label)
        {
            case RsaPublicKeyLabel:
                return Import(path, label, RSA.Create(), key => key.ImportRSAPublicKey(der, out _));
            case CertificateLabel:
                using (var certificate = LoadCertificate(path, der))
                {
                    return PublicKeyOf(path, certificate);
                }

            default:
                return ReadAlgorithmOid(path, label, der, isPrivateKeyInfo: false) switch
                {
                    RsaEncryptionOid => Import(path, label, RSA.Create(), key => key.ImportSubjectPublicKeyInfo(der, out _)),
                    EcPublicKeyOid => Import(path, label, ECDsa.Create(), key => key.ImportSubjectPublicKeyInfo(der, out _)),
                    var oid => throw UnsupportedAlgorithm(path, label, oid),
                };
        }
    }

    /// <summary>Loads an X.509 certificate from PEM ("CERTIFICATE") or DER.</summary>
    /// <exception cref="KeyLoadException">The file is unreadable or holds no certificate.</exception>
    public static X509Certificate2 LoadCertificate(string path)
    {
        using var file = PemFile.Read(path);
        return file.Blocks.Count == 0
            ? LoadDerCertificate(file, "a PEM or DER certificate")
            : LoadCertificate(path, file.Find("a PEM CERTIFICATE", CertificateLabel).Der);
    }

    /// <summary>
    /// Parses an RSA public key in the RFC 3110 §2 form Openswan and Libreswan write in ipsec.conf
    /// (<c>leftrsasigkey=0sAQ...</c>): "0s" and base64, or "0x" and hex, of the exponent length (one
    /// octet, or zero and two octets), the exponent, then the modulus.
    /// </summary>
    /// <exception cref="KeyLoadException">The value is not such a key.</exception>
    public static RSA ParseRfc3110PublicKey(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var key = Rfc3110PublicKey.Decode(value);
        var rsa = RSA.Create();
        try
        {
            rsa.ImportParameters(key);
            return rsa;
        }
        catch (CryptographicException e)
        {
            rsa.Dispose();
            throw new KeyLoadException($"rsasigkey value: the RFC 3110 key is not a usable RSA public key ({e.Message}).", e);
        }
    }

    private static T Import<T>(string path, string label, T key, Action<T> import)
        where T : AsymmetricAlgorithm
    {
        try
        {
            import(key);
            return key;
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new KeyLoadException($"{path}: the {label} block is not a valid key ({e.Message}).", e);
        }
    }

    // PKCS#8 PrivateKeyInfo (RFC 5208 §5) is SEQUENCE { version, AlgorithmIdentifier, ... } and
    // SubjectPublicKeyInfo (RFC 5280 §4.1) is SEQUENCE { AlgorithmIdentifier, ... }.
    private static string ReadAlgorithmOid(string path, string label, byte[] der, bool isPrivateKeyInfo)
    {
        try
        {
            var info = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            if (isPrivateKeyInfo)
            {
                _ = info.ReadInteger();
            }

            return info.ReadSequence().ReadObjectIdentifier();
        }
        catch (AsnContentException e)
        {
            throw new KeyLoadException($"{path}: the {label} block is not valid DER ({e.Message}).", e);
        }
    }

    private static KeyLoadException UnsupportedAlgorithm(string path, string label, string oid) =>
        new($"{path}: the {label} block holds a key of algorithm {oid}; only RSA ({RsaEncryptionOid}) and EC ({EcPublicKeyOid}) keys are supported.");

    private static X509Certificate2 LoadDerCertificate(PemFile file, string expected)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(file.Contents);
        }
        catch (CryptographicException e)
        {
            throw new KeyLoadException($"{file.Path}: expected {expected}, but found {file.DescribeContents()}.", e);
        }
    }

    private static X509Certificate2 LoadCertificate(string path, byte[] der)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            throw new KeyLoadException($"{path}: the CERTIFICATE block is not a valid X.509 certificate ({e.Message}).", e);
        }
    }

    private static AsymmetricAlgorithm PublicKeyOf(string path, X509Certificate2 certificate) =>
        (AsymmetricAlgorithm?)certificate.GetRSAPublicKey() ?? certificate.GetECDsaPublicKey()
            ?? throw new KeyLoadException(
                $"{path}: the certificate's key is {certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value}; only RSA and EC keys are supported.");
}
