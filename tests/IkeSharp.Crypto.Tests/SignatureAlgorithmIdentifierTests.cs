namespace IkeSharp.Crypto.Tests;

public sealed class SignatureAlgorithmIdentifierTests
{
    // RFC 7427 Appendix A.1 (sha256WithRSAEncryption, NULL parameters) and A.3 (ecdsa-with-SHA256, none).
    [Fact]
    public void Pkcs1_and_ecdsa_identifiers_match_rfc7427_appendix_a()
    {
        Assert.Equal("300d06092a864886f70d01010b0500", Convert.ToHexStringLower(SignatureScheme.Sha256WithRsaEncryption.AlgorithmIdentifier));
        Assert.Equal("300a06082a8648ce3d040302", Convert.ToHexStringLower(SignatureScheme.EcdsaWithSha256.AlgorithmIdentifier));
    }

    [Fact]
    public void Pss_identifier_carries_hash_mgf1_and_salt_and_leaves_the_default_trailer_out()
    {
        // RSASSA-PSS-params (RFC 4055 §3.1): [0] sha256, [1] mgf1 with sha256, [2] salt 32; trailerField DEFAULT 1 omitted in DER.
        const string expected =
            "304106092a864886f70d01010a3034" +
            "a00f300d06096086480165030402010500" +
            "a11c301a06092a864886f70d010108300d06096086480165030402010500" +
            "a203020120";

        Assert.Equal(expected, Convert.ToHexStringLower(SignatureScheme.RsassaPssSha256.AlgorithmIdentifier));
    }

    [Fact]
    public void Every_scheme_decodes_back_to_itself()
    {
        foreach (var scheme in SignatureScheme.All)
        {
            Assert.True(SignatureAlgorithmIdentifier.TryDecode(scheme.AlgorithmIdentifier, out var decoded, out var error), error);
            Assert.Same(scheme, decoded);
        }
    }

    [Theory]
    [InlineData("300b06092a864886f70d01010b", "sha256WithRSAEncryption")]
    [InlineData(
        "304606092a864886f70d01010a3039a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120a303020101",
        "RSASSA-PSS with SHA-256")]
    [InlineData(
        "303d06092a864886f70d01010a3030a00d300b0609608648016503040202a11a301806092a864886f70d010108300b0609608648016503040202a203020130",
        "RSASSA-PSS with SHA-384")]
    public void Equivalent_encodings_peers_send_are_accepted(string der, string scheme)
    {
        // Absent instead of NULL parameters (RFC 4055 §5 allows both), the DEFAULT trailerField spelled
        // out, and hash AlgorithmIdentifiers without parameters.
        Assert.True(SignatureAlgorithmIdentifier.TryDecode(Convert.FromHexString(der), out var decoded, out var error), error);
        Assert.Equal(scheme, decoded.Name);
    }

    [Theory]
    [InlineData(
        "303e06092a864886f70d01010a3031a00b300906052b0e03021a0500a118301606092a864886f70d010108300906052b0e03021a0500a203020114a303020101",
        "1.3.14.3.2.26")]
    [InlineData(
        "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020114",
        "20-octet salt")]
    [InlineData("300d06092a864886f70d01010b0500ff", "not valid DER")]
    [InlineData("300c06082a8648ce3d0403020500", "not valid DER")]
    public void Unsupported_or_malformed_identifiers_are_explained(string der, string expectedInError)
    {
        Assert.False(SignatureAlgorithmIdentifier.TryDecode(Convert.FromHexString(der), out _, out var error));
        Assert.Contains(expectedInError, error, StringComparison.Ordinal);
    }
}
