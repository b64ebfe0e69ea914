using System.Security.Cryptography;
using System.Text;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto.Tests;

public sealed class AuthenticationOctetsTests
{
    private static readonly byte[] RealMessage = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
    private static readonly byte[] PeerNonce = Enumerable.Repeat((byte)0x5a, 32).ToArray();
    private static readonly byte[] SkP = Enumerable.Repeat((byte)0x17, 32).ToArray();

    // ID Type ID_FQDN (2), three RESERVED octets, then the identification data.
    private static readonly byte[] IdPayloadBody = [2, 0, 0, 0, .. Encoding.ASCII.GetBytes("vpn.example.org")];

    [Fact]
    public void Octets_are_real_message_then_peer_nonce_then_prf_of_the_id_payload_body()
    {
        var prf = Prf.Create(PseudorandomFunction.PRF_HMAC_SHA2_256);

        var octets = AuthenticationOctets.Build(RealMessage, PeerNonce, prf, SkP, IdPayloadBody);

        // RFC 7296 §2.15: RealMessage | NonceData | prf(SK_p, RestOfIDPayload).
        byte[] expected = [.. RealMessage, .. PeerNonce, .. PlainHmac.Compute(HashAlgorithmName.SHA256, SkP, IdPayloadBody)];
        Assert.Equal(expected, octets);
        Assert.Equal(expected.Length, AuthenticationOctets.GetLength(RealMessage.Length, PeerNonce.Length, prf));
    }

    [Fact]
    public void Id_payload_body_shorter_than_its_type_and_reserved_octets_is_refused()
    {
        var prf = Prf.Create(PseudorandomFunction.PRF_HMAC_SHA2_256);

        Assert.Throws<ArgumentException>(() => AuthenticationOctets.Build(RealMessage, PeerNonce, prf, SkP, [2, 0, 0]));
    }

    [Fact]
    public void Destination_of_the_wrong_length_is_refused()
    {
        var prf = Prf.Create(PseudorandomFunction.PRF_HMAC_SHA1);
        var destination = new byte[AuthenticationOctets.GetLength(RealMessage.Length, PeerNonce.Length, prf) - 1];

        Assert.Throws<ArgumentException>(() => AuthenticationOctets.Build(RealMessage, PeerNonce, prf, SkP, IdPayloadBody, destination));
    }
}
