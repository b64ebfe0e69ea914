using System.Security.Cryptography;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto.Tests;

public sealed class SignatureTests
{
    private static readonly RSA RsaKey = RSA.Create(2048);
    private static readonly ECDsa P256Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly ECDsa P384Key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private static readonly ECDsa P521Key = ECDsa.Create(ECCurve.NamedCurves.nistP521);
    private static readonly byte[] Octets = Enumerable.Range(0, 200).Select(i => (byte)(i * 7)).ToArray();

    public static TheoryData<AuthenticationMethod, string, string?> Methods()
    {
        var data = new TheoryData<AuthenticationMethod, string, string?>
        {
            { AuthenticationMethod.RSA_DIGITAL_SIGNATURE, "rsa", null },
            { AuthenticationMethod.ECDSA_SHA_256_P_256, "p256", null },
            { AuthenticationMethod.ECDSA_SHA_384_P_384, "p384", null },
            { AuthenticationMethod.ECDSA_SHA_512_P_521, "p521", null },
        };
        foreach (var scheme in SignatureScheme.All)
        {
            data.Add(AuthenticationMethod.DIGITAL_SIGNATURE, scheme.KeyAlgorithm == SignatureKeyAlgorithm.Rsa ? "rsa" : "p384", scheme.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Signature_made_with_the_private_key_verifies_with_the_public_key(AuthenticationMethod method, string key, string? scheme)
    {
        var signer = new SignatureSigner(PrivateKey(key), method, Scheme(scheme));
        using var publicKey = PublicKey(key);

        var auth = signer.Sign(Octets);

        Assert.True(SignatureVerifier.AcceptingAll.Verify(method, publicKey, Octets, auth, out var failure), failure);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Signature_fails_when_any_signed_octet_or_signature_octet_changes(AuthenticationMethod method, string key, string? scheme)
    {
        var signer = new SignatureSigner(PrivateKey(key), method, Scheme(scheme));
        using var publicKey = PublicKey(key);
        var auth = signer.Sign(Octets);
        var alteredOctets = Octets.ToArray();
        alteredOctets[123] ^= 0x04;
        var alteredAuth = auth.ToArray();
        alteredAuth[^5] ^= 0x01;

        Assert.False(SignatureVerifier.AcceptingAll.Verify(method, publicKey, alteredOctets, auth, out var failure));
        Assert.Contains("does not verify", failure, StringComparison.Ordinal);
        Assert.False(SignatureVerifier.AcceptingAll.Verify(method, publicKey, Octets, alteredAuth, out _));
    }

    [Theory]
    [InlineData(AuthenticationMethod.ECDSA_SHA_256_P_256, "p256", 64)]
    [InlineData(AuthenticationMethod.ECDSA_SHA_384_P_384, "p384", 96)]
    [InlineData(AuthenticationMethod.ECDSA_SHA_512_P_521, "p521", 132)]
    public void Rfc4754_signatures_are_r_and_s_at_field_size(AuthenticationMethod method, string key, int length)
    {
        Assert.Equal(length, new SignatureSigner(PrivateKey(key), method).Sign(Octets).Length);
    }

    [Fact]
    public void Digital_signature_data_is_length_then_algorithm_identifier_then_der_ecdsa_signature()
    {
        var auth = new SignatureSigner(P256Key, AuthenticationMethod.DIGITAL_SIGNATURE, SignatureScheme.EcdsaWithSha256).Sign(Octets);

        // RFC 7427 §3: one length octet, the AlgorithmIdentifier, then (for ECDSA) a DER ECDSA-Sig-Value.
        var algorithmIdentifier = SignatureScheme.EcdsaWithSha256.AlgorithmIdentifier.ToArray();
        Assert.Equal(algorithmIdentifier.Length, auth[0]);
        Assert.Equal(algorithmIdentifier, auth[1..(1 + algorithmIdentifier.Length)]);
        var signature = auth[(1 + algorithmIdentifier.Length)..];
        Assert.Equal(0x30, signature[0]);
        Assert.True(P256Key.VerifyData(Octets, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void Verifier_refuses_a_scheme_local_policy_does_not_accept()
    {
        var auth = new SignatureSigner(RsaKey, AuthenticationMethod.DIGITAL_SIGNATURE, SignatureScheme.Sha256WithRsaEncryption).Sign(Octets);
        var pssOnly = new SignatureVerifier([SignatureScheme.RsassaPssSha256]);

        Assert.False(pssOnly.Verify(AuthenticationMethod.DIGITAL_SIGNATURE, RsaKey, Octets, auth, out var failure));
        Assert.Contains("sha256WithRSAEncryption", failure, StringComparison.Ordinal);
        Assert.Contains("does not accept", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Verifier_explains_an_unknown_algorithm_identifier()
    {
        // sha1WithRSAEncryption (1.2.840.113549.1.1.5), which RFC 7427 permits but this library does not offer.
        byte[] auth = [15, .. Convert.FromHexString("300d06092a864886f70d0101050500"), .. new byte[256]];

        Assert.False(SignatureVerifier.AcceptingAll.Verify(AuthenticationMethod.DIGITAL_SIGNATURE, RsaKey, Octets, auth, out var failure));
        Assert.Contains("1.2.840.113549.1.1.5", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Verifier_rejects_authentication_data_too_short_for_its_algorithm_identifier()
    {
        Assert.False(SignatureVerifier.AcceptingAll.Verify(AuthenticationMethod.DIGITAL_SIGNATURE, RsaKey, Octets, [40, 0x30, 0x0d], out var failure));
        Assert.Contains("too short", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Verifier_rejects_a_key_of_the_wrong_type_or_curve()
    {
        var auth = new SignatureSigner(P256Key, AuthenticationMethod.ECDSA_SHA_256_P_256).Sign(Octets);

        Assert.False(SignatureVerifier.AcceptingAll.Verify(AuthenticationMethod.ECDSA_SHA_256_P_256, P384Key, Octets, auth, out var curveFailure));
        Assert.Contains("P-256", curveFailure, StringComparison.Ordinal);
        Assert.False(SignatureVerifier.AcceptingAll.Verify(AuthenticationMethod.ECDSA_SHA_256_P_256, RsaKey, Octets, auth, out var typeFailure));
        Assert.Contains("Ecdsa", typeFailure, StringComparison.Ordinal);
    }

    [Fact]
    public void Signer_refuses_mismatched_keys_and_schemes()
    {
        Assert.Throws<ArgumentException>(() => new SignatureSigner(P256Key, AuthenticationMethod.RSA_DIGITAL_SIGNATURE));
        Assert.Throws<ArgumentException>(() => new SignatureSigner(P384Key, AuthenticationMethod.ECDSA_SHA_256_P_256));
        Assert.Throws<ArgumentException>(() => new SignatureSigner(RsaKey, AuthenticationMethod.DIGITAL_SIGNATURE));
        Assert.Throws<ArgumentException>(() => new SignatureSigner(RsaKey, AuthenticationMethod.RSA_DIGITAL_SIGNATURE, SignatureScheme.Sha256WithRsaEncryption));
        Assert.Throws<ArgumentException>(() => new SignatureSigner(RsaKey, AuthenticationMethod.DIGITAL_SIGNATURE, SignatureScheme.EcdsaWithSha256));
        Assert.Throws<NotSupportedException>(() => new SignatureSigner(RsaKey, AuthenticationMethod.DSS_DIGITAL_SIGNATURE));
    }

    private static AsymmetricAlgorithm PrivateKey(string key) => key switch
    {
        "rsa" => RsaKey,
        "p256" => P256Key,
        "p384" => P384Key,
        _ => P521Key,
    };

    // A separate object holding only the public half, as the peer would have it.
    private static AsymmetricAlgorithm PublicKey(string key)
    {
        var source = PrivateKey(key);
        var spki = source.ExportSubjectPublicKeyInfo();
        AsymmetricAlgorithm copy = source is RSA ? RSA.Create() : ECDsa.Create();
        copy.ImportSubjectPublicKeyInfo(spki, out _);
        return copy;
    }

    private static SignatureScheme? Scheme(string? name) => name is null ? null : SignatureScheme.All.Single(s => s.Name == name);
}
