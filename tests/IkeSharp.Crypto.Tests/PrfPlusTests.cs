using System.Security.Cryptography;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto.Tests;

public sealed class PrfPlusTests
{
    private static readonly byte[] Key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static readonly byte[] Seed = Convert.FromHexString("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");

    // Computed with the OpenSSL 3.0 CLI, one block per call:
    //   K=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
    //   S=a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
    //   T=""; for n in 01 02 03 04; do
    //     T=$(printf '%s%s%s' "$T" "$S" "$n" | xxd -r -p | openssl mac -digest SHA256 -macopt hexkey:$K HMAC); echo $T
    //   done
    private const string OpenSslPrfPlusSha256 =
        "9dd590e54ceb1bafffcf5b84ee3cde0755f34d81a3f392a158bc3a75062372a2" +
        "792b79e2d3f7b2d035e2c022f23264a3a7ce93e0208b11e89c15cc0e0312b021" +
        "505f88ffe7b4b6a1c214a5faa8f09624c7e39c8edade32e48736e95b38215382" +
        "4cb878e23ebc4068ebd180de8c081ca8042adbb9554e8fb367b66a615843a26e";

    [Fact]
    public void Expansion_matches_openssl_including_a_truncated_last_block()
    {
        var output = new byte[100];

        PrfPlus.Expand(Prf.Create(PseudorandomFunction.PRF_HMAC_SHA2_256), Key, Seed, output);

        Assert.Equal(OpenSslPrfPlusSha256[..200], Convert.ToHexStringLower(output));
    }

    [Theory]
    [InlineData(PseudorandomFunction.PRF_HMAC_SHA1, "SHA1", 1)]
    [InlineData(PseudorandomFunction.PRF_HMAC_SHA2_384, "SHA384", 130)]
    [InlineData(PseudorandomFunction.PRF_HMAC_SHA2_512, "SHA512", 200)]
    public void Expansion_matches_the_rfc7296_definition_written_out(PseudorandomFunction id, string hash, int length)
    {
        var output = new byte[length];

        PrfPlus.Expand(Prf.Create(id), Key, Seed, output);

        Assert.Equal(PlainHmac.PrfPlus(new HashAlgorithmName(hash), Key, Seed, length), output);
    }

    [Fact]
    public void Expansion_beyond_255_blocks_is_refused()
    {
        var prf = Prf.Create(PseudorandomFunction.PRF_HMAC_SHA1);

        PrfPlus.Expand(prf, Key, Seed, new byte[255 * 20]);
        Assert.Throws<ArgumentException>(() => PrfPlus.Expand(prf, Key, Seed, new byte[(255 * 20) + 1]));
    }
}
