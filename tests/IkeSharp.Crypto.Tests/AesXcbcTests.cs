using IkeSharp.Protocol;

namespace IkeSharp.Crypto.Tests;

public sealed class AesXcbcTests
{
    private const string Rfc3566Key = "000102030405060708090a0b0c0d0e0f";

    // RFC 3566 §4.6 test cases 1-7: message, full AES-XCBC-MAC; AES-XCBC-MAC-96 is its first 12 octets.
    [Theory]
    [InlineData("", "75f0251d528ac01c4573dfd584d79f29")]
    [InlineData("000102", "5b376580ae2f19afe7219ceef172756f")]
    [InlineData("000102030405060708090a0b0c0d0e0f", "d2a246fa349b68a79998a4394ff7a263")]
    [InlineData("000102030405060708090a0b0c0d0e0f10111213", "47f51b4564966215b8985c63055ed308")]
    [InlineData("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "f54f0ec8d2b9f3d36807734bd5283fd4")]
    [InlineData("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021", "becbb3bccdb518a30677d5481fb6b4d8")]
    public void Xcbc_mac_matches_rfc3566(string messageHex, string expectedMac)
    {
        Assert.Equal(expectedMac, Mac(Convert.FromHexString(messageHex)));
        Assert.Equal(expectedMac[..24], Mac96(Convert.FromHexString(messageHex)));
    }

    [Fact]
    public void Xcbc_mac_of_1000_zero_octets_matches_rfc3566_test_case_7()
    {
        // Longer than the internal chunk, so the chaining across chunks is exercised too.
        Assert.Equal("f0dafee895db30253761103b5d84528f", Mac(new byte[1000]));
    }

    // RFC 4434 §4: the same 20-octet message under a 16-, a 10- (zero-padded) and an 18-octet (reduced) key.
    [Theory]
    [InlineData("000102030405060708090a0b0c0d0e0f", "47f51b4564966215b8985c63055ed308")]
    [InlineData("00010203040506070809", "0fa087af7d866e7653434e602fdde835")]
    [InlineData("000102030405060708090a0b0c0d0e0fedcb", "8cd3c93ae598a9803006ffb67c40e9e4")]
    public void Xcbc_prf_matches_rfc4434_for_short_exact_and_long_keys(string keyHex, string expected)
    {
        var prf = Prf.Create(PseudorandomFunction.PRF_AES128_XCBC);
        var output = new byte[prf.OutputSize];

        prf.Compute(Convert.FromHexString(keyHex), Convert.FromHexString("000102030405060708090a0b0c0d0e0f10111213"), output);

        Assert.Equal(expected, Convert.ToHexStringLower(output));
    }

    [Fact]
    public void Xcbc_prf_has_a_fixed_128_bit_key()
    {
        var prf = Prf.Create(PseudorandomFunction.PRF_AES128_XCBC);

        Assert.Equal(16, prf.OutputSize);
        Assert.Equal(16, prf.PreferredKeySize);
        Assert.True(prf.HasFixedKeySize);
    }

    private static string Mac(byte[] message)
    {
        using var mac = new AesXcbcMac(Convert.FromHexString(Rfc3566Key));
        var output = new byte[AesXcbcMac.BlockSize];
        mac.Compute(message, output);
        return Convert.ToHexStringLower(output);
    }

    private static string Mac96(byte[] message)
    {
        var integrity = AlgorithmCatalog.GetIntegrity(IntegrityAlgorithm.AUTH_AES_XCBC_96);
        using var transform = IntegrityTransform.Create(integrity, Convert.FromHexString(Rfc3566Key));
        var icv = new byte[transform.IcvSize];
        transform.Compute(message, icv);
        return Convert.ToHexStringLower(icv);
    }
}
