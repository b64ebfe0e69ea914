using System.Security.Cryptography;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto.Tests;

public sealed class KeyLoaderTests
{
    private static readonly byte[] Octets = [1, 2, 3, 4, 5];

    [Theory]
    [InlineData("rsa-pkcs1.pem")]
    [InlineData("rsa-pkcs8.pem")]
    public void Rsa_private_keys_load_from_pkcs1_and_pkcs8(string file)
    {
        using var key = KeyLoader.LoadPrivateKey(TestFile(file));

        var rsa = Assert.IsAssignableFrom<RSA>(key);
        Assert.Equal(RsaModulus(), rsa.ExportParameters(false).Modulus);
    }

    [Theory]
    [InlineData("ec-p256-sec1.pem", 256)]
    [InlineData("ec-p384-pkcs8.pem", 384)]
    public void Ec_private_keys_load_from_sec1_and_pkcs8(string file, int curveBits)
    {
        using var key = KeyLoader.LoadPrivateKey(TestFile(file));

        Assert.Equal(curveBits, Assert.IsAssignableFrom<ECDsa>(key).KeySize);
    }

    [Theory]
    [InlineData("rsa-public.pem")]
    [InlineData("rsa-public-pkcs1.pem")]
    [InlineData("rsa-cert.pem")]
    public void Rsa_public_keys_load_from_spki_pkcs1_and_certificates(string file)
    {
        using var key = KeyLoader.LoadPublicKey(TestFile(file));

        Assert.Equal(RsaModulus(), Assert.IsAssignableFrom<RSA>(key).ExportParameters(false).Modulus);
    }

    [Theory]
    [InlineData("ec-p256-public.pem")]
    [InlineData("ec-cert.der")]
    public void Ec_public_keys_load_from_spki_and_der_certificates(string file)
    {
        using var privateKey = (ECDsa)KeyLoader.LoadPrivateKey(TestFile("ec-p256-sec1.pem"));
        using var key = KeyLoader.LoadPublicKey(TestFile(file));

        var ecdsa = Assert.IsAssignableFrom<ECDsa>(key);
        Assert.Equal(privateKey.ExportParameters(false).Q.X, ecdsa.ExportParameters(false).Q.X);
    }

    [Theory]
    [InlineData("rsa-cert.pem", "CN=rsa.test.ikesharp")]
    [InlineData("ec-cert.der", "CN=ec.test.ikesharp")]
    public void Certificates_load_from_pem_and_der(string file, string subject)
    {
        using var certificate = KeyLoader.LoadCertificate(TestFile(file));

        Assert.Equal(subject, certificate.Subject);
    }

    [Fact]
    public void Loaded_keys_sign_and_verify_an_auth_payload_end_to_end()
    {
        using var privateKey = KeyLoader.LoadPrivateKey(TestFile("rsa-pkcs8.pem"));
        using var publicKey = KeyLoader.LoadPublicKey(TestFile("rsa-cert.pem"));

        var auth = new SignatureSigner(privateKey, AuthenticationMethod.DIGITAL_SIGNATURE, SignatureScheme.RsassaPssSha256).Sign(Octets);

        Assert.True(SignatureVerifier.AcceptingAll.Verify(AuthenticationMethod.DIGITAL_SIGNATURE, publicKey, Octets, auth, out var failure), failure);
    }

    [Theory]
    [InlineData("rsa-public.pem", "PUBLIC KEY")]
    [InlineData("request.csr", "CERTIFICATE REQUEST")]
    [InlineData("ed25519.pem", "1.3.101.112")]
    [InlineData("ec-p256-encrypted.pem", "ENCRYPTED PRIVATE KEY")]
    [InlineData("ec-p256-legacy-encrypted.pem", "passphrase-encrypted legacy PEM")]
    [InlineData("ec-cert.der", "no PEM block")]
    public void Private_key_errors_name_the_file_and_what_it_holds(string file, string found)
    {
        var e = Assert.Throws<KeyLoadException>(() => KeyLoader.LoadPrivateKey(TestFile(file)));

        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains(found, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rsa-pkcs1.pem", "RSA PRIVATE KEY")]
    [InlineData("rsa-public.rfc3110.txt", "no PEM block")]
    public void Public_key_errors_name_the_file_and_what_it_holds(string file, string found)
    {
        var e = Assert.Throws<KeyLoadException>(() => KeyLoader.LoadPublicKey(TestFile(file)));

        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains(found, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_reported_by_path()
    {
        string path = TestFile("no-such-key.pem");

        var e = Assert.Throws<KeyLoadException>(() => KeyLoader.LoadCertificate(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Openswan_base64_rsasigkey_parses_to_the_same_public_key()
    {
        string value = File.ReadAllText(TestFile("rsa-public.rfc3110.txt"));

        using var rsa = KeyLoader.ParseRfc3110PublicKey(value);

        var parameters = rsa.ExportParameters(false);
        Assert.Equal(RsaModulus(), parameters.Modulus);
        Assert.Equal([1, 0, 1], parameters.Exponent);
    }

    [Fact]
    public void Hex_rsasigkey_with_a_three_octet_exponent_length_parses()
    {
        // RFC 3110 §2: a zero first octet means the exponent length follows in two octets.
        using var original = RSA.Create(1024);
        var expected = original.ExportParameters(false);
        byte[] blob = [0, 0, (byte)expected.Exponent!.Length, .. expected.Exponent, .. expected.Modulus!];

        using var rsa = KeyLoader.ParseRfc3110PublicKey("0x" + Convert.ToHexString(blob));

        Assert.Equal(expected.Modulus, rsa.ExportParameters(false).Modulus);
    }

    [Theory]
    [InlineData("AwEAAc8=", "0s (base64) or 0x (hex)")]
    [InlineData("0sAwEAAQ==", "too short")]
    [InlineData("0s!!!", "does not decode")]
    public void Malformed_rsasigkey_values_are_explained(string value, string expected)
    {
        var e = Assert.Throws<KeyLoadException>(() => KeyLoader.ParseRfc3110PublicKey(value));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private static string TestFile(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    private static byte[] RsaModulus()
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(TestFile("rsa-public.pem")));
        return rsa.ExportParameters(false).Modulus!;
    }
}
