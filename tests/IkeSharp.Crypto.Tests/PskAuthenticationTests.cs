using System.Text;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto.Tests;

public sealed class PskAuthenticationTests
{
    private static readonly byte[] SharedSecret = Encoding.ASCII.GetBytes("IkeSharp test pre-shared key");
    private static readonly byte[] Octets = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();

    // Computed once with Python's hmac module:
    //   python3 -c "import hmac,hashlib; h=hashlib.sha256; k=hmac.new(b'IkeSharp test pre-shared key', b'Key Pad for IKEv2', h).digest(); print(hmac.new(k, bytes(range(100)), h).hexdigest())"
    // and the same with h=hashlib.sha1.
    [Theory]
    [InlineData(PseudorandomFunction.PRF_HMAC_SHA2_256, "c4adebfdff6e439f4c52c16195814b58957b0801317ce308597668fe0e529e0e")]
    [InlineData(PseudorandomFunction.PRF_HMAC_SHA1, "340d5be334a0493000ef5fc280229e177eb2360c")]
    public void Auth_matches_an_independent_computation(PseudorandomFunction id, string expected)
    {
        var prf = Prf.Create(id);
        var auth = new byte[prf.OutputSize];

        PskAuthentication.Compute(prf, SharedSecret, Octets, auth);

        Assert.Equal(expected, Convert.ToHexStringLower(auth));
        Assert.True(PskAuthentication.Verify(prf, SharedSecret, Octets, auth));
    }

    [Fact]
    public void Verify_rejects_a_wrong_secret_altered_octets_or_truncated_auth()
    {
        var prf = Prf.Create(PseudorandomFunction.PRF_HMAC_SHA2_256);
        var auth = new byte[prf.OutputSize];
        PskAuthentication.Compute(prf, SharedSecret, Octets, auth);
        var altered = Octets.ToArray();
        altered[50] ^= 0x80;
        var wrongSecret = SharedSecret.ToArray();
        wrongSecret[^1] ^= 0x01;

        Assert.False(PskAuthentication.Verify(prf, wrongSecret, Octets, auth));
        Assert.False(PskAuthentication.Verify(prf, SharedSecret, altered, auth));
        Assert.False(PskAuthentication.Verify(prf, SharedSecret, Octets, auth.AsSpan(..^1)));
    }
}
