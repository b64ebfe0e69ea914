using System.Text;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto.Tests;

public sealed class HmacPrfTests
{
    // RFC 4231 test cases 1-4, 6 and 7 (§4.2-§4.8); case 5 is checked separately because its output is truncated.
    public static TheoryData<string, string, PseudorandomFunction, string> Rfc4231Cases()
    {
        var data = new TheoryData<string, string, PseudorandomFunction, string>();
        var cases = new (string Key, string Data, string Sha256, string Sha384, string Sha512)[]
        {
            (Repeat("0b", 20), Hex("Hi There"),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
                "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"),
            (Hex("Jefe"), Hex("what do ya want for nothing?"),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"),
            (Repeat("aa", 20), Repeat("dd", 50),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
                "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
                "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"),
            ("0102030405060708090a0b0c0d0e0f10111213141516171819", Repeat("cd", 50),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
                "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
                "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"),
            (Repeat("aa", 131), Hex("Test Using Larger Than Block-Size Key - Hash Key First"),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
                "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"),
            (Repeat("aa", 131),
                Hex("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
                "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
                "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"),
        };
        foreach (var c in cases)
        {
            data.Add(c.Key, c.Data, PseudorandomFunction.PRF_HMAC_SHA2_256, c.Sha256);
            data.Add(c.Key, c.Data, PseudorandomFunction.PRF_HMAC_SHA2_384, c.Sha384);
            data.Add(c.Key, c.Data, PseudorandomFunction.PRF_HMAC_SHA2_512, c.Sha512);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rfc4231Cases))]
    public void Hmac_sha2_prfs_match_rfc4231(string keyHex, string dataHex, PseudorandomFunction id, string expected)
    {
        Assert.Equal(expected, Compute(id, keyHex, dataHex));
    }

    [Theory]
    [InlineData(PseudorandomFunction.PRF_HMAC_SHA2_256, "a3b6167473100ee06e0c796c2955552b")]
    [InlineData(PseudorandomFunction.PRF_HMAC_SHA2_384, "3abf34c3503b2a23a46efc619baef897")]
    [InlineData(PseudorandomFunction.PRF_HMAC_SHA2_512, "415fad6271580a531d4179bc891d87a6")]
    public void Truncated_output_matches_rfc4231_test_case_5(PseudorandomFunction id, string expectedPrefix)
    {
        string full = Compute(id, Repeat("0c", 20), Hex("Test With Truncation"));

        Assert.StartsWith(expectedPrefix, full, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00")]
    [InlineData("4a656665", "what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")]
    public void Hmac_sha1_prf_matches_rfc2202(string keyHex, string data, string expected)
    {
        Assert.Equal(expected, Compute(PseudorandomFunction.PRF_HMAC_SHA1, keyHex, Hex(data)));
    }

    [Theory]
    [InlineData(PseudorandomFunction.PRF_HMAC_SHA1, 20)]
    [InlineData(PseudorandomFunction.PRF_HMAC_SHA2_256, 32)]
    [InlineData(PseudorandomFunction.PRF_HMAC_SHA2_384, 48)]
    [InlineData(PseudorandomFunction.PRF_HMAC_SHA2_512, 64)]
    public void Hmac_prfs_prefer_keys_as_long_as_their_output(PseudorandomFunction id, int size)
    {
        var prf = Prf.Create(id);

        Assert.Equal(size, prf.OutputSize);
        Assert.Equal(size, prf.PreferredKeySize);
        Assert.False(prf.HasFixedKeySize);
    }

    [Fact]
    public void Unsupported_prf_is_refused_by_name()
    {
        var e = Assert.Throws<NotSupportedException>(() => Prf.Create(PseudorandomFunction.PRF_HMAC_MD5));

        Assert.Contains("PRF_HMAC_MD5", e.Message, StringComparison.Ordinal);
        Assert.False(Prf.IsSupported(PseudorandomFunction.PRF_HMAC_MD5));
    }

    [Fact]
    public void Output_span_of_the_wrong_size_is_rejected()
    {
        var prf = Prf.Create(PseudorandomFunction.PRF_HMAC_SHA2_256);

        Assert.Throws<ArgumentException>(() => prf.Compute([1], [2], new byte[31]));
    }

    private static string Compute(PseudorandomFunction id, string keyHex, string dataHex)
    {
        var prf = Prf.Create(id);
        var output = new byte[prf.OutputSize];
        prf.Compute(Convert.FromHexString(keyHex), Convert.FromHexString(dataHex), output);
        return Convert.ToHexStringLower(output);
    }

    private static string Hex(string ascii) => Convert.ToHexString(Encoding.ASCII.GetBytes(ascii));

    private static string Repeat(string octetHex, int count) => string.Concat(Enumerable.Repeat(octetHex, count));
}
