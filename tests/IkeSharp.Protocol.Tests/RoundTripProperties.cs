using FsCheck.Xunit;

namespace IkeSharp.Protocol.Tests;

[Properties(Arbitrary = [typeof(CodecArbitraries)], MaxTest = 300)]
public class RoundTripProperties
{
    [Property]
    public bool Every_payload_survives_encode_decode_encode(Payload payload)
    {
        var message = new IkeMessage(IkeHeader.Create(1, 2, ExchangeType.INFORMATIONAL, IkeHeaderFlags.Initiator, 7), [payload]);
        var bytes = message.Encode();
        var decoded = IkeMessage.Decode(bytes);
        return decoded.Payloads.Length == 1
            && decoded.Payloads[0].GetType() == payload.GetType()
            && decoded.Payloads[0].Type == payload.Type
            && decoded.Encode().AsSpan().SequenceEqual(bytes);
    }

    [Property]
    public bool Whole_messages_survive_encode_decode_encode(IkeMessage message)
    {
        var bytes = message.Encode();
        var decoded = IkeMessage.Decode(bytes);
        return decoded.Header == message.Header with { NextPayload = decoded.Header.NextPayload, Length = (uint)bytes.Length }
            && decoded.Payloads.Select(p => p.Type).SequenceEqual(message.Payloads.Select(p => p.Type))
            && decoded.Encode().AsSpan().SequenceEqual(bytes);
    }

    [Property]
    public bool Decoded_fields_equal_the_encoded_ones(Payload payload)
    {
        var chain = IkeMessage.EncodeChain([payload]);
        Assert.True(PayloadChain.TryDecode(payload.Type, chain, 0, out var decoded, out var error), error.ToString());
        var back = decoded.Payloads.Single();
        return Describe(back) == Describe(payload);
    }

    /// <summary>Field-by-field text of a payload (records print their members; memory is shown as hex).</summary>
    private static string Describe(Payload payload) => payload switch
    {
        SecurityAssociationPayload sa => string.Join("|", sa.Proposals.Select(p =>
            $"{p.Number} {p.Protocol} {Convert.ToHexString(p.Spi.Span)} {string.Join(",", p.Transforms.Select(t => $"{t} {Convert.ToHexString(t.OtherAttributes.Span)}"))}")),
        KeyExchangePayload ke => $"{ke.Method} {Convert.ToHexString(ke.Data.Span)}",
        IdentificationPayload id => $"{id.Type} {id.Identity.Type} {Convert.ToHexString(id.Identity.Data.Span)}",
        NotifyPayload n => $"{n.Protocol} {Convert.ToHexString(n.Spi.Span)} {n.NotifyType} {Convert.ToHexString(n.Data.Span)}",
        DeletePayload d => $"{d.Protocol} {string.Join(",", d.Spis)}",
        TrafficSelectorPayload ts => $"{ts.Type} {string.Join(",", ts.Selectors.Select(s => $"{s} {s.StartPort}-{s.EndPort}"))}",
        ConfigurationPayload cp => $"{cp.ConfigurationType} {string.Join(",", cp.Attributes.Select(a => $"{a.Type}={Convert.ToHexString(a.Value.Span)}"))}",
        _ => Convert.ToHexString(payload.EncodeBody()),
    };
}
