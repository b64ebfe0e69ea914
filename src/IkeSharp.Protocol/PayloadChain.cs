using System.Collections.Immutable;

namespace IkeSharp.Protocol;

/// <summary>A decoded payload chain: the payloads in order, and unknown payloads flagged critical.</summary>
public readonly record struct DecodedPayloads(ImmutableArray<Payload> Payloads, ImmutableArray<PayloadType> UnsupportedCriticalPayloads);

/// <summary>
/// Stateless decoder for a chain of payloads linked by their Next Payload fields (RFC 7296 §3.2):
/// the payloads after the IKE header, or the plaintext inside an SK payload. Every length is
/// checked against what is left before a body is read.
/// </summary>
public static class PayloadChain
{
    /// <param name="first">Type of the first payload (from the header or the SK payload).</param>
    /// <param name="buffer">The octets of the chain.</param>
    /// <param name="baseOffset">Where <paramref name="buffer"/> starts in the datagram, for error offsets.</param>
    public static bool TryDecode(PayloadType first, ReadOnlyMemory<byte> buffer, int baseOffset, out DecodedPayloads result, out DecodeError error)
    {
        var reader = new IkeReader(buffer, baseOffset);
        var payloads = ImmutableArray.CreateBuilder<Payload>();
        ImmutableArray<PayloadType>.Builder? critical = null;
        var type = first;
        while (type != PayloadType.NONE)
        {
            reader.Payload = type;
            if (reader.Remaining == 0)
            {
                reader.Fail("announced by the previous Next Payload field, but the message ends");
                break;
            }

            var start = reader.Offset;
            var next = (PayloadType)reader.ReadUInt8("Next Payload");
            var isCritical = (reader.ReadUInt8("flags") & 0x80) != 0;
            var length = reader.ReadUInt16("Payload Length");
            var body = reader.ReadSubstructure(start, length, Payload.GenericHeaderSize, "payload");
            var payload = ReadBody(ref body, type, next);
            if (payload is UnknownPayload && isCritical)
            {
                (critical ??= ImmutableArray.CreateBuilder<PayloadType>()).Add(type);
            }

            body.ExpectEnd($"the {type} payload's fields");
            reader.Absorb(body);
            if (reader.Failed)
            {
                break;
            }

            payloads.Add(isCritical ? payload with { Critical = true } : payload);
            if (type is PayloadType.SK or PayloadType.SKF)
            {
                // §3.14: SK is the last payload; its Next Payload field names the first inner payload.
                reader.Payload = null;
                reader.ExpectEnd($"the {type} payload, which must be last");
                break;
            }

            type = next;
        }

        reader.Payload = null;
        reader.ExpectEnd("the last payload");
        if (reader.Error is { } e)
        {
            result = default;
            error = e;
            return false;
        }

        result = new DecodedPayloads(payloads.DrainToImmutable(), critical?.DrainToImmutable() ?? []);
        error = default;
        return true;
    }

    private static Payload ReadBody(ref IkeReader body, PayloadType type, PayloadType next) => type switch
    {
        PayloadType.SA => SecurityAssociationPayload.Read(ref body),
        PayloadType.KE => KeyExchangePayload.Read(ref body),
        PayloadType.IDi or PayloadType.IDr => IdentificationPayload.Read(ref body, type),
        PayloadType.CERT => CertificatePayload.Read(ref body),
        PayloadType.CERTREQ => CertificateRequestPayload.Read(ref body),
        PayloadType.AUTH => AuthenticationPayload.Read(ref body),
        PayloadType.Nonce => NoncePayload.Read(ref body),
        PayloadType.N => NotifyPayload.Read(ref body),
        PayloadType.D => DeletePayload.Read(ref body),
        PayloadType.V => VendorIdPayload.Read(ref body),
        PayloadType.TSi or PayloadType.TSr => TrafficSelectorPayload.Read(ref body, type),
        PayloadType.SK => EncryptedPayload.Read(ref body, next),
        PayloadType.CP => ConfigurationPayload.Read(ref body),
        PayloadType.EAP => EapPayload.Read(ref body),
        PayloadType.SKF => EncryptedFragmentPayload.Read(ref body, next),
        _ => new UnknownPayload(type, body.ReadRest()),
    };
}
