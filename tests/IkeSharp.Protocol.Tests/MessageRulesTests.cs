using System.Net;

namespace IkeSharp.Protocol.Tests;

public class MessageRulesTests
{
    private static readonly NoncePayload Nonce = new(new byte[32]);
    private static readonly KeyExchangePayload Ke = new(KeyExchangeMethod.ECP_256, new byte[64]);
    private static readonly SecurityAssociationPayload Sa = new([new Proposal(1, ProtocolId.IKE, default, [Transform.KeyExchange(KeyExchangeMethod.ECP_256)])]);
    private static readonly IdentificationPayload IdI = new(PayloadType.IDi, Identity.Parse("192.0.2.1"));

    private static IkeMessage Plain(ExchangeType exchange, bool response, params Payload[] payloads)
        => new(IkeHeader.Create(1, response ? 2UL : 0, exchange, response ? IkeHeaderFlags.Response : IkeHeaderFlags.Initiator, 0), [.. payloads]);

    private static IkeMessage Protected(ExchangeType exchange, bool response, params Payload[] inner)
        => Plain(exchange, response, new EncryptedPayload(inner.Length > 0 ? inner[0].Type : PayloadType.NONE, new byte[32], 32))
            .WithInnerPayloads(new DecodedPayloads([.. inner], []));

    [Fact]
    public void IKE_SA_INIT_request_with_SA_KE_Ni_is_accepted()
        // HDR, SAi1, KEi, Ni, N(NATD_S_IP), N(NATD_D_IP)  -->
        => Assert.Null(MessageRules.Check(Plain(ExchangeType.IKE_SA_INIT, false, Sa, Ke, Nonce,
            NotifyPayload.Create(NotifyType.NAT_DETECTION_SOURCE_IP, new byte[20]),
            NotifyPayload.Create(NotifyType.NAT_DETECTION_DESTINATION_IP, new byte[20]))));

    [Fact]
    public void IKE_SA_INIT_request_without_KE_is_INVALID_SYNTAX()
    {
        // HDR, SAi1, Ni  -->
        var violation = MessageRules.Check(Plain(ExchangeType.IKE_SA_INIT, false, Sa, Nonce));
        Assert.Equal(NotifyType.INVALID_SYNTAX, violation?.Notify);
        Assert.Equal("IKE_SA_INIT request lacks its KE payload", violation?.Reason);
    }

    [Fact]
    public void IKE_SA_INIT_response_with_only_INVALID_KE_PAYLOAD_is_accepted()
        // <--  HDR, N(INVALID_KE_PAYLOAD)
        => Assert.Null(MessageRules.Check(Plain(ExchangeType.IKE_SA_INIT, true, NotifyPayload.InvalidKePayload(KeyExchangeMethod.MODP_2048))));

    [Fact]
    public void Two_SA_payloads_are_rejected()
        => Assert.Contains("2 SA payloads", MessageRules.Check(Plain(ExchangeType.IKE_SA_INIT, false, Sa, Sa, Ke, Nonce))?.Reason);

    [Fact]
    public void IKE_AUTH_with_IDi_outside_SK_is_rejected_before_decryption()
    {
        // HDR, IDi, SK {...}  -->
        var message = Plain(ExchangeType.IKE_AUTH, false, IdI, new EncryptedPayload(PayloadType.AUTH, new byte[32], 40));
        Assert.Contains("inside one SK or SKF payload", MessageRules.CheckOuter(message)?.Reason);
    }

    [Fact]
    public void IKE_AUTH_request_with_the_usual_payloads_is_accepted()
    {
        // HDR, SK { IDi, N(INITIAL_CONTACT), IDr, AUTH, SA, TSi, TSr }  -->
        var ts = new TrafficSelectorPayload(PayloadType.TSi, [TrafficSelector.ForRange(IPAddress.Parse("10.0.0.0"), IPAddress.Parse("10.0.0.255"))]);
        var message = Protected(ExchangeType.IKE_AUTH, false,
            IdI, NotifyPayload.Create(NotifyType.INITIAL_CONTACT), new IdentificationPayload(PayloadType.IDr, Identity.Parse("gw.example.org")),
            new AuthenticationPayload(AuthenticationMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE, new byte[32]), Sa, ts, new TrafficSelectorPayload(PayloadType.TSr, ts.Selectors));

        Assert.Null(MessageRules.Check(message));
        Assert.Equal("IKE_AUTH request 0 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]", message.ToString());
    }

    [Fact]
    public void Delete_in_CREATE_CHILD_SA_is_not_allowed()
        // HDR, SK { SA, Ni, D }  -->
        => Assert.Equal("D payload is not allowed in CREATE_CHILD_SA request",
            MessageRules.Check(Protected(ExchangeType.CREATE_CHILD_SA, false, Sa, Nonce, DeletePayload.IkeSa()))?.Reason);

    [Fact]
    public void Empty_INFORMATIONAL_is_a_liveness_check()
        // HDR, SK {}  <-->
        => Assert.Null(MessageRules.Check(Protected(ExchangeType.INFORMATIONAL, false)));

    [Fact]
    public void Protected_exchange_must_be_decrypted_before_the_full_check()
        => Assert.Throws<InvalidOperationException>(() =>
            MessageRules.Check(Plain(ExchangeType.INFORMATIONAL, false, new EncryptedPayload(PayloadType.NONE, new byte[16], 32))));

    [Fact]
    public void Every_rule_is_unique_per_exchange_and_direction()
        => Assert.Equal(MessageRules.All.Length, MessageRules.All.Select(r => (r.Exchange, r.IsResponse)).Distinct().Count());
}
