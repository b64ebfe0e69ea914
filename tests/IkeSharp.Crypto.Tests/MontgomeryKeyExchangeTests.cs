using IkeSharp.Protocol;

namespace IkeSharp.Crypto.Tests;

public sealed class MontgomeryKeyExchangeTests
{
    // RFC 7748 §6.1 (X25519) and §6.2 (X448): Alice's and Bob's private and public keys and the shared secret.
    public static TheoryData<KeyExchangeMethod, string, string, string, string, string> Rfc7748Vectors() => new()
    {
        {
            KeyExchangeMethod.CURVE25519,
            "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
            "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        },
        {
            KeyExchangeMethod.CURVE448,
            "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b",
            "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0",
            "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d",
            "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609",
            "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d"
        },
    };

    [Theory]
    [MemberData(nameof(Rfc7748Vectors))]
    public void Fixed_keys_reproduce_the_rfc7748_diffie_hellman_vectors(
        KeyExchangeMethod method, string alicePrivate, string alicePublic, string bobPrivate, string bobPublic, string shared)
    {
        using var alice = KeyExchange.CreateWithPrivateKey(method, Convert.FromHexString(alicePrivate));
        using var bob = KeyExchange.CreateWithPrivateKey(method, Convert.FromHexString(bobPrivate));

        Assert.Equal(alicePublic, Convert.ToHexStringLower(alice.PublicValue));
        Assert.Equal(bobPublic, Convert.ToHexStringLower(bob.PublicValue));
        using var aliceSecret = alice.DeriveSharedSecret(bob.PublicValue);
        using var bobSecret = bob.DeriveSharedSecret(alice.PublicValue);
        Assert.Equal(shared, Convert.ToHexStringLower(aliceSecret.Span));
        Assert.Equal(shared, Convert.ToHexStringLower(bobSecret.Span));
    }

    [Fact]
    public void Unclamped_scalar_is_clamped_as_rfc7748_section_5_2_requires()
    {
        // RFC 7748 §5.2, first X25519 test vector: the scalar's low and high bits are set wrongly on purpose.
        using var exchange = KeyExchange.CreateWithPrivateKey(
            KeyExchangeMethod.CURVE25519, Convert.FromHexString("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"));

        using var result = exchange.DeriveSharedSecret(Convert.FromHexString("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"));

        Assert.Equal("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552", Convert.ToHexStringLower(result.Span));
    }

    [Theory]
    [InlineData(KeyExchangeMethod.CURVE25519, 32)]
    [InlineData(KeyExchangeMethod.CURVE448, 56)]
    public void Low_order_point_giving_an_all_zero_secret_is_rejected(KeyExchangeMethod method, int length)
    {
        using var exchange = KeyExchange.Create(method);

        var e = Assert.Throws<InvalidPeerKeyExchangeException>(() => exchange.DeriveSharedSecret(new byte[length]));
        Assert.Contains("all zeros", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(KeyExchangeMethod.CURVE25519, 31)]
    [InlineData(KeyExchangeMethod.CURVE448, 57)]
    public void Public_values_of_the_wrong_length_are_rejected(KeyExchangeMethod method, int length)
    {
        using var exchange = KeyExchange.Create(method);

        Assert.Throws<InvalidPeerKeyExchangeException>(() => exchange.DeriveSharedSecret(new byte[length]));
    }
}
