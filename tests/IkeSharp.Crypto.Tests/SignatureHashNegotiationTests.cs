using System.Security.Cryptography;
using HashAlgorithm = IkeSharp.Protocol.HashAlgorithm;

namespace IkeSharp.Crypto.Tests;

public sealed class SignatureHashNegotiationTests
{
    [Fact]
    public void Local_preference_order_wins_among_hashes_the_peer_listed()
    {
        var selected = SignatureHashNegotiation.SelectHash(
            [HashAlgorithm.SHA1, HashAlgorithm.SHA2_256, HashAlgorithm.SHA2_512],
            [HashAlgorithm.SHA2_384, HashAlgorithm.SHA2_512, HashAlgorithm.SHA2_256]);

        Assert.Equal(HashAlgorithm.SHA2_512, selected);
    }

    [Fact]
    public void No_common_implemented_hash_selects_nothing()
    {
        // SHA-1 and IDENTITY are listed by both sides but not offered for DIGITAL_SIGNATURE here.
        Assert.Null(SignatureHashNegotiation.SelectHash(
            [HashAlgorithm.SHA1, HashAlgorithm.IDENTITY], [HashAlgorithm.IDENTITY, HashAlgorithm.SHA1, HashAlgorithm.SHA2_256]));
    }

    [Fact]
    public void Supported_hashes_are_the_sha2_family()
    {
        Assert.Equal([HashAlgorithm.SHA2_256, HashAlgorithm.SHA2_384, HashAlgorithm.SHA2_512], SignatureHashNegotiation.Supported);
    }

    [Fact]
    public void Scheme_follows_the_key_type_and_pss_choice()
    {
        using var rsa = RSA.Create(2048);
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        HashAlgorithm[] peer = [HashAlgorithm.SHA2_384];

        Assert.Same(SignatureScheme.RsassaPssSha384, SignatureHashNegotiation.SelectScheme(rsa, peer, SignatureHashNegotiation.Supported, useRsaPss: true));
        Assert.Same(SignatureScheme.Sha384WithRsaEncryption, SignatureHashNegotiation.SelectScheme(rsa, peer, SignatureHashNegotiation.Supported, useRsaPss: false));
        Assert.Same(SignatureScheme.EcdsaWithSha384, SignatureHashNegotiation.SelectScheme(ecdsa, peer, SignatureHashNegotiation.Supported, useRsaPss: true));
        Assert.Null(SignatureHashNegotiation.SelectScheme(ecdsa, [HashAlgorithm.SHA1], SignatureHashNegotiation.Supported, useRsaPss: false));
    }
}
