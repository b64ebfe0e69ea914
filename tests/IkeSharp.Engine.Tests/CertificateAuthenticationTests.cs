using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IkeSharp.Crypto;
using IkeSharp.Engine.Configuration;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tests;

/// <summary>X.509 authentication: CERT and CERTREQ payloads, chains to configured CAs, identity binding.</summary>
public class CertificateAuthenticationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Certificates_from_a_shared_CA_authenticate_DN_identities()
    {
        using var ca = Ca("CN=Lab CA");
        var lab = CertificateLab(ca, ca, "CN=alice.lab.example", "CN=bob.lab.example").Establish();

        EstablishmentTests.AssertUp(lab);
        Assert.Equal("alice: IKE_AUTH request 1 [ IDi CERT N(INIT_CONTACT) CERTREQ IDr AUTH SA TSi TSr ]", lab.Trace[2]);
        Assert.Equal("bob: IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) CERTREQ ]", lab.Trace[1]);
        lab.AssertLogged(l => l == "bob: authentication of CN=alice.lab.example with X.509 certificate successful");
    }

    [Fact]
    public void Certificate_of_another_CA_is_AUTHENTICATION_FAILED_naming_both()
    {
        using var ca = Ca("CN=Lab CA");
        using var rogue = Ca("CN=Rogue CA");
        var lab = CertificateLab(aliceIssuer: rogue, bobIssuer: ca, "CN=alice.lab.example", "CN=bob.lab.example").Establish();

        Assert.Equal("bob: IKE_AUTH response 1 [ N(AUTH_FAILED) ]", lab.Trace[3]);
        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains("certificate 'CN=alice.lab.example' (issuer 'CN=Rogue CA') does not chain to a configured CA (CN=Lab CA)"));
    }

    [Fact]
    public void Certificate_must_name_the_claimed_identity()
    {
        using var ca = Ca("CN=Lab CA");
        var lab = CertificateLab(ca, ca, "CN=alice.lab.example", "CN=bob.lab.example", aliceClaims: "CN=bob.lab.example").Establish();

        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains("no tunnel accepts identity 'CN=bob.lab.example'"));
        var strict = CertificateLab(ca, ca, "CN=alice.lab.example", "CN=bob.lab.example", aliceClaims: "CN=mallory", bobExpects: null).Establish();
        strict.AssertLogged(l => l.StartsWith("bob:") && l.Contains("certificate 'CN=alice.lab.example' does not name the identity 'CN=mallory'"));
    }

    public enum Usage
    {
        SigningKeyUsage,
        EncipherOnlyKeyUsage,
        IpsecIkeEku,
        ServerAuthEku,
        CodeSigningEku,
    }

    // IKE_AUTH { IDi CERT(alice: key usage / EKU) AUTH ... } -->
    //                               <-- { N(AUTHENTICATION_FAILED) } unless the certificate may sign IKE
    [Theory]
    [InlineData(Usage.SigningKeyUsage, true)]
    [InlineData(Usage.EncipherOnlyKeyUsage, false)]
    [InlineData(Usage.IpsecIkeEku, true)]
    [InlineData(Usage.ServerAuthEku, true)]
    [InlineData(Usage.CodeSigningEku, false)]
    public void The_peer_certificate_must_be_meant_for_signing_IKE(Usage usage, bool accepted)
    {
        using var ca = Ca("CN=Lab CA");
        X509Extension extension = usage switch
        {
            Usage.SigningKeyUsage => new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true),
            Usage.EncipherOnlyKeyUsage => new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, true),
            Usage.IpsecIkeEku => new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.17")], false),
            Usage.ServerAuthEku => new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false),
            _ => new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.3")], true),
        };
        var lab = CertificateLab(ca, ca, "CN=alice.lab.example", "CN=bob.lab.example", aliceExtensions: [extension]).Establish();

        if (accepted)
        {
            EstablishmentTests.AssertUp(lab);
            return;
        }

        Assert.Equal("bob: IKE_AUTH response 1 [ N(AUTH_FAILED) ]", lab.Trace[3]);
        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains(usage == Usage.CodeSigningEku
            ? "certificate 'CN=alice.lab.example' is not meant for IKE: its extended key usage is Code Signing"
            : "certificate 'CN=alice.lab.example' may not sign: its key usage is DataEncipherment, KeyEncipherment"));
    }

    [Fact]
    public void A_certificate_with_a_key_IkeSharp_cannot_verify_is_AUTHENTICATION_FAILED_saying_so()
    {
        using var ca = Ca("CN=Lab CA");
        var ed25519 = Ed25519Leaf(ca, "CN=alice.lab.example");
        var lab = CertificateLab(ca, ca, "CN=alice.lab.example", "CN=bob.lab.example", aliceCertificate: ed25519).Establish();

        Assert.Equal("bob: IKE_AUTH response 1 [ N(AUTH_FAILED) ]", lab.Trace[3]);
        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains("certificate 'CN=alice.lab.example' has a key of algorithm ED25519 (1.3.101.112); IkeSharp verifies RSA and ECDSA signatures only"));
    }

    // The peer sends its certificate without the intermediate; the certificate names where to fetch it
    // (AIA caIssuers). The unauthenticated peer must not make the gateway connect anywhere.
    [Fact]
    public void Validation_fetches_nothing_the_peer_certificate_points_at()
    {
        using var root = Ca("CN=Lab Root");
        using var intermediate = Ca("CN=Lab Intermediate", root);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/intermediate.cer";
            var aia = new X509AuthorityInformationAccessExtension(null, [url]);
            var lab = CertificateLab(intermediate, root, "CN=alice.lab.example", "CN=bob.lab.example", aliceExtensions: [aia], bobAnchor: root).Establish();

            Assert.False(listener.Pending(), "certificate validation connected to the URL the peer's certificate names");
            Assert.Equal("bob: IKE_AUTH response 1 [ N(AUTH_FAILED) ]", lab.Trace[3]);
            lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains("certificate 'CN=alice.lab.example' (issuer 'CN=Lab Intermediate') does not chain to a configured CA (CN=Lab Root)"));
        }
        finally
        {
            listener.Stop();
        }
    }

    // remote_crl: a CRL of the issuer revokes the peer's certificate; one of another CA, or listing
    // another serial, does not.
    [Theory]
    [InlineData("revoking alice", false)]
    [InlineData("revoking another certificate", true)]
    [InlineData("of another CA revoking alice's serial", true)]
    public void A_certificate_on_a_configured_CRL_of_its_issuer_is_AUTHENTICATION_FAILED(string crl, bool accepted)
    {
        using var ca = Ca("CN=Lab CA");
        using var other = Ca("CN=Lab CA"); // same name, other key: its CRL must not count
        var (aliceCertificate, aliceKey) = Leaf(ca, "CN=alice.lab.example");
        var (unrelated, _) = Leaf(ca, "CN=carol.lab.example");
        var list = crl switch
        {
            "revoking alice" => Crl(ca, aliceCertificate),
            "revoking another certificate" => Crl(ca, unrelated),
            _ => Crl(other, aliceCertificate),
        };
        var lab = CertificateLab(ca, ca, "CN=alice.lab.example", "CN=bob.lab.example", aliceCertificate: (aliceCertificate, aliceKey), bobCrls: [list]).Establish();

        if (accepted)
        {
            EstablishmentTests.AssertUp(lab);
            return;
        }

        Assert.Equal("bob: IKE_AUTH response 1 [ N(AUTH_FAILED) ]", lab.Trace[3]);
        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains($"certificate 'CN=alice.lab.example' (serial {aliceCertificate.SerialNumber}) was revoked on 2026-11-21 12:00:00Z by 'CN=Lab CA' (test.crl)"));
    }

    private static Lab CertificateLab(X509Certificate2 aliceIssuer, X509Certificate2 bobIssuer, string alice, string bob, string? aliceClaims = null, string? bobExpects = "",
        X509Extension[]? aliceExtensions = null, (X509Certificate2, AsymmetricAlgorithm)? aliceCertificate = null, X509Certificate2? bobAnchor = null, RevocationList[]? bobCrls = null)
    {
        var (aliceCert, aliceKey) = aliceCertificate ?? Leaf(aliceIssuer, alice, aliceExtensions ?? []);
        var (bobCert, bobKey) = Leaf(bobIssuer, bob);
        return new Lab(
            alice: t => t with
            {
                LocalIdentity = Identity.Parse(aliceClaims ?? alice),
                RemoteIdentity = Identity.Parse(bob),
                LocalAuth = new AuthConfig(AuthKind.PublicKey) { PrivateKey = aliceKey, Certificate = aliceCert },
                RemoteAuth = new AuthConfig(AuthKind.PublicKey) { TrustAnchors = [WithoutKey(bobIssuer)] },
            },
            bob: t => t with
            {
                LocalIdentity = Identity.Parse(bob),
                RemoteIdentity = bobExpects is null ? null : Identity.Parse(bobExpects.Length == 0 ? alice : bobExpects),
                LocalAuth = new AuthConfig(AuthKind.PublicKey) { PrivateKey = bobKey, Certificate = bobCert },
                // the CA of the lab, whoever signed alice
                RemoteAuth = new AuthConfig(AuthKind.PublicKey) { TrustAnchors = [WithoutKey(bobAnchor ?? bobIssuer)], RevocationLists = [.. bobCrls ?? []] },
            });
    }

    private static X509Certificate2 Ca(string name, X509Certificate2? issuer = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null)
        {
            return request.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(5));
        }

        using var signed = request.Create(issuer, Now.AddYears(-1), Now.AddYears(4), RandomNumberGenerator.GetBytes(8));
        return signed.CopyWithPrivateKey(key);
    }

    private static (X509Certificate2 Certificate, ECDsa Key) Leaf(X509Certificate2 issuer, string subject, params X509Extension[] extensions)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        foreach (var extension in extensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        var serial = RandomNumberGenerator.GetBytes(8);
        serial[0] &= 0x7f; // positive, so that its hex is the serial BouncyCastle reads
        return (request.Create(issuer, Now.AddDays(-1), Now.AddYears(1), serial), key);
    }

    /// <summary>An Ed25519 end-entity certificate signed by the (ECDSA) CA: .NET cannot make one, BouncyCastle can.</summary>
    private static (X509Certificate2, AsymmetricAlgorithm) Ed25519Leaf(X509Certificate2 issuer, string subject)
    {
        var generator = new Org.BouncyCastle.Crypto.Generators.Ed25519KeyPairGenerator();
        generator.Init(new Org.BouncyCastle.Crypto.Parameters.Ed25519KeyGenerationParameters(new Org.BouncyCastle.Security.SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var ca = Org.BouncyCastle.Security.DotNetUtilities.GetECKeyPair("ECDSA", issuer.GetECDsaPrivateKey()!.ExportParameters(true));
        var builder = new Org.BouncyCastle.X509.X509V3CertificateGenerator();
        builder.SetSerialNumber(Org.BouncyCastle.Math.BigInteger.ValueOf(7));
        builder.SetIssuerDN(new Org.BouncyCastle.Asn1.X509.X509Name(issuer.Subject));
        builder.SetSubjectDN(new Org.BouncyCastle.Asn1.X509.X509Name(subject));
        builder.SetNotBefore(Now.AddDays(-1).UtcDateTime);
        builder.SetNotAfter(Now.AddYears(1).UtcDateTime);
        builder.SetPublicKey(pair.Public);
        var certificate = builder.Generate(new Org.BouncyCastle.Crypto.Operators.Asn1SignatureFactory("SHA384WITHECDSA", ca.Private));
        // alice signs AUTH with some key; bob refuses the certificate before any signature is checked.
        return (X509CertificateLoader.LoadCertificate(certificate.GetEncoded()), ECDsa.Create(ECCurve.NamedCurves.nistP256));
    }

    private static RevocationList Crl(X509Certificate2 issuer, X509Certificate2 revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        builder.AddEntry(revoked, Now.AddDays(-1));
        var der = builder.Build(issuer, BigInteger.One, Now.AddDays(7), HashAlgorithmName.SHA384, thisUpdate: Now.AddHours(-1));
        return RevocationList.FromDer(der, "test.crl");
    }

    private static X509Certificate2 WithoutKey(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);
}
