using System.Buffers.Binary;
using System.Text.Json;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto.Tests;

/// <summary>
/// strongSwan 5.9.8's own signature AUTH payloads from the golden captures (interop-tests/captures):
/// they verify with <see cref="SignatureVerifier"/>, and the deterministic PKCS#1 v1.5 ones are
/// re-created byte for byte by <see cref="SignatureSigner"/> from the same keys via <see cref="KeyLoader"/>.
/// </summary>
public sealed class StrongSwanSignatureTests
{
    private const byte AuthenticationPayloadType = 39;

    [Theory]
    [InlineData("pubkey-rsa4096", "initiator", "gw-i.pub")]
    [InlineData("pubkey-rsa4096", "responder", "gw-r.pub")]
    [InlineData("x509-rsa-fragmented", "initiator", "gw-i.crt")]
    [InlineData("x509-rsa-fragmented", "responder", "gw-r.crt")]
    [InlineData("x509-ecdsa-certs", "initiator", "gw-i.crt")]
    [InlineData("x509-ecdsa-certs", "responder", "gw-r.crt")]
    public void StrongSwans_auth_payload_verifies_with_the_peers_public_key(string @case, string side, string publicKeyFile)
    {
        var (octets, method, data) = ReadAuthentication(@case, side);
        using var publicKey = KeyLoader.LoadPublicKey(Interop("pki", @case, publicKeyFile));

        Assert.True(SignatureVerifier.AcceptingAll.Verify(method, publicKey, octets, data, out var failure), failure);
    }

    [Theory]
    [InlineData("pubkey-rsa4096", "initiator", "gw-i.key")]
    [InlineData("pubkey-rsa4096", "responder", "gw-r.key")]
    [InlineData("x509-rsa-fragmented", "initiator", "gw-i.key")]
    [InlineData("x509-rsa-fragmented", "responder", "gw-r.key")]
    public void Pkcs1_auth_payload_is_recreated_byte_for_byte(string @case, string side, string privateKeyFile)
    {
        var (octets, method, data) = ReadAuthentication(@case, side);
        using var privateKey = KeyLoader.LoadPrivateKey(Interop("pki", @case, privateKeyFile));
        Assert.True(SignatureAlgorithmIdentifier.TryDecode(data.AsSpan(1, data[0]), out var scheme, out var error), error);

        Assert.Equal(data, new SignatureSigner(privateKey, method, scheme).Sign(octets));
    }

    /// <summary>The signed octets strongSwan logged and the AUTH payload it sent, from its own IKE_AUTH message.</summary>
    private static (byte[] Octets, AuthenticationMethod Method, byte[] Data) ReadAuthentication(string @case, string side)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Interop("keys", @case + ".json")));
        var root = json.RootElement;
        var octets = Hex(root.GetProperty("ike_sas")[0].GetProperty(side + "_auth"), "octets");

        // The sender's plaintext of its IKE_AUTH message, reassembled from SKF fragments where there are
        // any; the first inner payload's type is the Next Payload octet of the SK/SKF header after the
        // 28-octet IKE header.
        var parts = root.GetProperty("sk_messages").EnumerateArray()
            .Where(m => m.GetProperty("logged_by").GetString() == side && m.GetProperty("exchange").GetString() == "IKE_AUTH")
            .ToList();
        byte payloadType = Hex(parts[0], "aad")[28];
        byte[] inner = [.. parts.SelectMany(m => Hex(m, "plaintext"))];

        for (int offset = 0; payloadType != 0;)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(inner.AsSpan(offset + 2));
            if (payloadType == AuthenticationPayloadType)
            {
                // RFC 7296 §3.8: Auth Method, three RESERVED octets, Authentication Data.
                return (octets, (AuthenticationMethod)inner[offset + 4], inner[(offset + 8)..(offset + length)]);
            }

            payloadType = inner[offset];
            offset += length;
        }

        throw new InvalidDataException($"{@case}: the {side}'s IKE_AUTH message has no AUTH payload.");
    }

    private static byte[] Hex(JsonElement element, string name) => Convert.FromHexString(element.GetProperty(name).GetString()!);

    private static string Interop(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Interop", .. parts]);
}
