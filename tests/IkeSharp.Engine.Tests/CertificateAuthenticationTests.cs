using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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

    private static Lab CertificateLab(X509Certificate2 aliceIssuer, X509Certificate2 bobIssuer, string alice, string bob, string? aliceClaims = null, string? bobExpects = "")
    {
        var (aliceCert, aliceKey) = Leaf(aliceIssuer, alice);
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
                RemoteAuth = new AuthConfig(AuthKind.PublicKey) { TrustAnchors = [WithoutKey(bobIssuer)] }, // the CA of the lab, whoever signed alice
            });
    }

    private static X509Certificate2 Ca(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(5));
    }

    private static (X509Certificate2 Certificate, ECDsa Key) Leaf(X509Certificate2 issuer, string subject)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var serial = RandomNumberGenerator.GetBytes(8);
        return (request.Create(issuer, Now.AddDays(-1), Now.AddYears(1), serial), key);
    }

    private static X509Certificate2 WithoutKey(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);
}
