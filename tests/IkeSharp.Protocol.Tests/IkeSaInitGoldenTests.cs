using System.Net;

namespace IkeSharp.Protocol.Tests;

/// <summary>A hand-assembled IKE_SA_INIT, octet by octet from the RFC 7296 §3 diagrams.</summary>
public class IkeSaInitGoldenTests
{
    // HDR, SAi1, KEi, Ni, N(IKEV2_FRAGMENTATION_SUPPORTED)  -->
    private static readonly byte[] Request = Hex.Parse("""
        0102030405060708 0000000000000000   // SPIi, SPIr
        21 20 22 08 00000000 00000078       // next SA, v2.0, IKE_SA_INIT, I flag, MID 0, length 120
        22 00 0030                          // SA, next KE, length 48
          00 00 002c 01 01 00 04            //   last proposal, length 44, #1, IKE, no SPI, 4 transforms
            03 00 000c 01 00 000c 800e0100  //     ENCR_AES_CBC, KEY_LENGTH 256
            03 00 0008 02 00 0005           //     PRF_HMAC_SHA2_256
            03 00 0008 03 00 000c           //     AUTH_HMAC_SHA2_256_128
            00 00 0008 04 00 000e           //     MODP_2048 (last)
        28 00 0010 000e 0000 1122334455667788  // KE, next Nonce, group 14, 8 octets of data
        29 00 0014 000102030405060708090a0b0c0d0e0f  // Nonce, next N, 16 octets
        00 00 0008 00 00 402e               // N(IKEV2_FRAGMENTATION_SUPPORTED), last
        """);

    [Fact]
    public void Decodes_every_field()
    {
        var message = IkeMessage.Decode(Request);

        Assert.Equal(0x0102030405060708UL, message.Header.InitiatorSpi);
        Assert.Equal(0UL, message.Header.ResponderSpi);
        Assert.Equal(ExchangeType.IKE_SA_INIT, message.Exchange);
        Assert.True(message.Header.FromOriginalInitiator);
        Assert.False(message.IsResponse);
        Assert.Equal(0u, message.Header.MessageId);

        var proposal = Assert.Single(message.Find<SecurityAssociationPayload>()!.Proposals);
        Assert.Equal(ProtocolId.IKE, proposal.Protocol);
        Assert.Equal(
            ["ENCR:ENCR_AES_CBC_256", "PRF:PRF_HMAC_SHA2_256", "INTEG:AUTH_HMAC_SHA2_256_128", "KE:MODP_2048"],
            proposal.Transforms.Select(t => t.ToString()));

        var ke = message.Find<KeyExchangePayload>()!;
        Assert.Equal(KeyExchangeMethod.MODP_2048, ke.Method);
        Assert.Equal("1122334455667788", Convert.ToHexString(ke.Data.Span));
        Assert.Equal(16, message.Find<NoncePayload>()!.Data.Length);
        Assert.NotNull(message.FindNotify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
        Assert.Equal("IKE_SA_INIT request 0 [ SA KE No N(FRAG_SUP) ]", message.ToString());
    }

    [Fact]
    public void Encoding_the_same_payloads_gives_the_same_octets()
    {
        var message = new IkeMessage(
            IkeHeader.Create(0x0102030405060708, 0, ExchangeType.IKE_SA_INIT, IkeHeaderFlags.Initiator, 0),
            [
                new SecurityAssociationPayload([new Proposal(1, ProtocolId.IKE, default, [
                    Transform.Encryption(EncryptionAlgorithm.ENCR_AES_CBC, 256),
                    Transform.Prf(PseudorandomFunction.PRF_HMAC_SHA2_256),
                    Transform.Integrity(IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128),
                    Transform.KeyExchange(KeyExchangeMethod.MODP_2048)])]),
                new KeyExchangePayload(KeyExchangeMethod.MODP_2048, Convert.FromHexString("1122334455667788")),
                new NoncePayload(Enumerable.Range(0, 16).Select(i => (byte)i).ToArray()),
                NotifyPayload.Create(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED),
            ]);

        Assert.Equal(Convert.ToHexString(Request), Convert.ToHexString(message.Encode()));
    }

    [Fact]
    public void Header_reads_without_decoding_payloads()
    {
        Assert.True(IkeHeader.TryRead(Request, out var header, out _));
        Assert.Equal(PayloadType.SA, header.NextPayload);
        Assert.Equal(120u, header.Length);
    }

    [Fact]
    public void Traffic_selectors_print_as_prefixes_like_strongSwan()
    {
        var subnet = TrafficSelector.ForRange(IPAddress.Parse("172.31.0.0"), IPAddress.Parse("172.31.255.255"));
        var https = TrafficSelector.ForRange(IPAddress.Parse("10.1.0.0"), IPAddress.Parse("10.1.0.255"), 6, 443, 443);
        var range = TrafficSelector.ForRange(IPAddress.Parse("10.0.0.5"), IPAddress.Parse("10.0.0.9"));

        Assert.Equal("172.31.0.0/16", subnet.ToString());
        Assert.Equal("10.1.0.0/24[tcp/443]", https.ToString());
        Assert.Equal("10.0.0.5..10.0.0.9", range.ToString());
    }
}
