using IkeSharp.Protocol;
using Org.BouncyCastle.Math;

namespace IkeSharp.Crypto.Tests;

public sealed class ModpKeyExchangeTests
{
    // Every RFC 2409 / RFC 3526 prime is 2^n - 2^(n-64) - 1 + 2^64 * (floor(2^(n-130) * pi) + k): 64 one
    // bits, the binary expansion of pi, a small offset, and 64 one bits.
    [Theory]
    [InlineData(KeyExchangeMethod.MODP_1024, 1024)]
    [InlineData(KeyExchangeMethod.MODP_1536, 1536)]
    [InlineData(KeyExchangeMethod.MODP_2048, 2048)]
    [InlineData(KeyExchangeMethod.MODP_3072, 3072)]
    [InlineData(KeyExchangeMethod.MODP_4096, 4096)]
    [InlineData(KeyExchangeMethod.MODP_6144, 6144)]
    [InlineData(KeyExchangeMethod.MODP_8192, 8192)]
    public void Group_primes_have_the_rfc3526_structure(KeyExchangeMethod method, int bits)
    {
        Assert.True(ModpGroup.TryGet(method, out var group));
        string hex = Convert.ToHexString(group.Prime.ToByteArrayUnsigned());

        Assert.Equal(bits, group.Prime.BitLength);
        Assert.Equal(bits / 8, group.ModulusLength);
        Assert.StartsWith("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1", hex, StringComparison.Ordinal);
        Assert.EndsWith("FFFFFFFFFFFFFFFF", hex, StringComparison.Ordinal);
    }

    [Fact]
    public void Group_14_prime_is_a_safe_prime()
    {
        Assert.True(ModpGroup.TryGet(KeyExchangeMethod.MODP_2048, out var group));

        Assert.True(group.Prime.IsProbablePrime(64));
        Assert.True(group.Prime.ShiftRight(1).IsProbablePrime(64));
    }

    [Fact]
    public void Known_exponent_gives_g_to_the_x_padded_to_the_modulus()
    {
        // x = 2 makes the public value 4, which RFC 7296 §3.4 pads with zeros to the full 256 octets.
        using var exchange = KeyExchange.CreateWithPrivateKey(KeyExchangeMethod.MODP_2048, [2]);

        var expected = new byte[256];
        expected[^1] = 4;
        Assert.Equal(expected, exchange.PublicValue.ToArray());
    }

    [Theory]
    [InlineData("zero")]
    [InlineData("one")]
    [InlineData("p - 1")]
    [InlineData("p")]
    [InlineData("all ones, above p")]
    [InlineData("one octet too long")]
    [InlineData("one octet too short")]
    public void Degenerate_or_malformed_peer_values_are_rejected(string peerValue)
    {
        using var exchange = KeyExchange.Create(KeyExchangeMethod.MODP_2048);

        var e = Assert.Throws<InvalidPeerKeyExchangeException>(() => exchange.DeriveSharedSecret(PeerValue(peerValue)));
        Assert.Contains("MODP_2048", e.Message, StringComparison.Ordinal);
    }

    private static byte[] PeerValue(string name)
    {
        Assert.True(ModpGroup.TryGet(KeyExchangeMethod.MODP_2048, out var group));
        return name switch
        {
            "zero" => Padded(BigInteger.Zero),
            "one" => Padded(BigInteger.One),
            "p - 1" => Padded(group.PrimeMinusOne),
            "p" => Padded(group.Prime),
            "all ones, above p" => Enumerable.Repeat((byte)0xff, 256).ToArray(),
            "one octet too long" => [0, .. Padded(BigInteger.Two)],
            _ => Padded(BigInteger.Two)[1..],
        };

        static byte[] Padded(BigInteger value)
        {
            var bytes = new byte[256];
            var magnitude = value.ToByteArrayUnsigned();
            magnitude.CopyTo(bytes, 256 - magnitude.Length);
            return bytes;
        }
    }
}
