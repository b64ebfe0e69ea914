using System.Net;
using FsCheck;
using FsCheck.Fluent;

namespace IkeSharp.Protocol.Tests;

/// <summary>FsCheck generators for every payload the codec parses, and for whole messages.</summary>
public static class Generators
{
    public static Gen<byte[]> Bytes(int min, int max)
        => Gen.Choose(min, max).SelectMany(n => Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(n));

    private static Gen<T> Enum<T>()
        where T : struct, Enum => Gen.Elements(System.Enum.GetValues<T>());

    private static Gen<ushort> UInt16 => Gen.Choose(0, ushort.MaxValue).Select(i => (ushort)i);

    private static Gen<Transform> TransformGen =>
        from type in Gen.Elements(TransformType.ENCR, TransformType.PRF, TransformType.INTEG, TransformType.KE, TransformType.ESN, TransformType.ADDKE1)
        from id in UInt16
        from hasKeyLength in Gen.Elements(true, false)
        from keyLength in Gen.Elements<ushort>(128, 192, 256)
        from others in Gen.Elements(Array.Empty<byte>(), [0x80, 0x20, 0x00, 0x01], [0x00, 0x21, 0x00, 0x02, 0xab, 0xcd])
        select new Transform(type, id, hasKeyLength ? keyLength : null, others);

    private static Gen<Proposal> ProposalGen =>
        from number in Gen.Choose(1, 255)
        from protocol in Gen.Elements(ProtocolId.IKE, ProtocolId.ESP, ProtocolId.AH)
        from spi in Gen.Elements(0, 4, 8).SelectMany(n => Bytes(n, n))
        from transforms in Gen.Choose(1, 12).SelectMany(n => TransformGen.ArrayOf(n))
        select new Proposal((byte)number, protocol, spi, [.. transforms]);

    private static Gen<IPAddress> Address(bool v6) => Bytes(v6 ? 16 : 4, v6 ? 16 : 4).Select(b => new IPAddress(b));

    private static Gen<TrafficSelector> SelectorGen =>
        from v6 in Gen.Elements(false, true)
        from protocol in Gen.Elements<byte>(0, 1, 6, 17, 58)
        from start in UInt16
        from end in UInt16
        from a in Address(v6)
        from b in Address(v6)
        select new TrafficSelector(v6 ? TrafficSelectorType.TS_IPV6_ADDR_RANGE : TrafficSelectorType.TS_IPV4_ADDR_RANGE, protocol, start, end, a, b);

    private static Gen<Identity> IdentityGen => Gen.OneOf(
        Bytes(4, 4).Select(b => new Identity(IdentificationType.ID_IPV4_ADDR, b)),
        Bytes(16, 16).Select(b => new Identity(IdentificationType.ID_IPV6_ADDR, b)),
        Gen.Elements(IdentificationType.ID_FQDN, IdentificationType.ID_RFC822_ADDR, IdentificationType.ID_DER_ASN1_DN, IdentificationType.ID_KEY_ID)
            .SelectMany(t => Bytes(0, 64).Select(b => new Identity(t, b))));

    /// <summary>Any payload that may appear in a plain payload chain (everything but SK/SKF, which end a chain).</summary>
    public static Gen<Payload> PlainPayload => Gen.OneOf(
        ProposalGen.ArrayOf().Where(p => p.Length > 0).Select(p => (Payload)new SecurityAssociationPayload([.. p])),
        Enum<KeyExchangeMethod>().SelectMany(m => Bytes(0, 300).Select(d => (Payload)new KeyExchangePayload(m, d))),
        Gen.Elements(PayloadType.IDi, PayloadType.IDr).SelectMany(t => IdentityGen.Select(i => (Payload)new IdentificationPayload(t, i))),
        Enum<CertificateEncoding>().SelectMany(e => Bytes(0, 200).Select(d => (Payload)new CertificatePayload(e, d))),
        Enum<CertificateEncoding>().SelectMany(e => Bytes(0, 60).Select(d => (Payload)new CertificateRequestPayload(e, d))),
        Enum<AuthenticationMethod>().SelectMany(m => Bytes(0, 256).Select(d => (Payload)new AuthenticationPayload(m, d))),
        Bytes(NoncePayload.MinLength, NoncePayload.MaxLength).Select(d => (Payload)new NoncePayload(d)),
        from type in Enum<NotifyType>()
        from protocol in Gen.Elements(ProtocolId.NONE, ProtocolId.IKE, ProtocolId.ESP)
        from spi in Gen.Elements(0, 4, 8).SelectMany(n => Bytes(n, n))
        from data in Bytes(0, 40)
        select (Payload)new NotifyPayload(protocol, spi, type, data),
        Gen.Choose(0, 5).SelectMany(n => Gen.Choose(1, int.MaxValue).Select(i => (uint)i).ArrayOf(n))
            .Select(s => (Payload)new DeletePayload(s.Length == 0 ? ProtocolId.IKE : ProtocolId.ESP, [.. s])),
        Bytes(0, 32).Select(d => (Payload)new VendorIdPayload(d)),
        from type in Gen.Elements(PayloadType.TSi, PayloadType.TSr)
        from selectors in Gen.Choose(1, 4).SelectMany(n => SelectorGen.ArrayOf(n))
        select (Payload)new TrafficSelectorPayload(type, [.. selectors]),
        from type in Enum<ConfigurationType>()
        from attributes in Gen.Choose(0, 4).SelectMany(n =>
            Enum<ConfigurationAttributeType>().SelectMany(t => Bytes(0, 16).Select(v => new ConfigurationAttribute(t, v))).ArrayOf(n))
        select (Payload)new ConfigurationPayload(type, [.. attributes]),
        Bytes(4, 40).Select(d => (Payload)new EapPayload(d)),
        from type in Gen.Elements((PayloadType)1, (PayloadType)32, (PayloadType)99, (PayloadType)200)
        from body in Bytes(0, 20)
        select (Payload)new UnknownPayload(type, body));

    public static Gen<IkeHeader> HeaderGen =>
        from ispi in Gen.Choose(int.MinValue, int.MaxValue)
        from rspi in Gen.Choose(int.MinValue, int.MaxValue)
        from exchange in Enum<ExchangeType>()
        from flags in Gen.Elements(IkeHeaderFlags.Initiator, IkeHeaderFlags.Response, IkeHeaderFlags.Initiator | IkeHeaderFlags.Response, IkeHeaderFlags.None)
        from messageId in Gen.Choose(0, int.MaxValue)
        select IkeHeader.Create((ulong)(uint)ispi << 32 | 0x1234, (ulong)(uint)rspi, exchange, flags, (uint)messageId);

    /// <summary>A message whose payloads are all outside encryption, optionally ending in an SK payload.</summary>
    public static Gen<IkeMessage> MessageGen =>
        from header in HeaderGen
        from payloads in Gen.Choose(0, 6).SelectMany(n => PlainPayload.ArrayOf(n))
        from encrypted in Gen.Elements(false, true)
        from first in Gen.Elements(PayloadType.IDi, PayloadType.N, PayloadType.D)
        from body in Bytes(0, 64)
        select new IkeMessage(header, encrypted
            ? [.. payloads, new EncryptedPayload(first, body, 0)]
            : [.. payloads]);

    /// <summary>Encoded valid messages, some with random octets changed, truncated or extended.</summary>
    public static Gen<byte[]> MutatedDatagram =>
        from message in MessageGen
        let bytes = message.Encode()
        from mutations in Gen.Choose(0, 6)
        from positions in Gen.Choose(0, bytes.Length - 1).ArrayOf(mutations)
        from values in Gen.Choose(0, 255).ArrayOf(mutations)
        from cut in Gen.Choose(0, 3)
        select Mutate(bytes, positions, values, cut);

    private static byte[] Mutate(byte[] bytes, int[] positions, int[] values, int cut)
    {
        var copy = (byte[])bytes.Clone();
        for (var i = 0; i < positions.Length; i++)
        {
            copy[positions[i]] = (byte)values[i];
        }

        return cut switch
        {
            1 => copy[..(copy.Length / 2)],
            2 => [.. copy, 0, 0, 0, 4],
            _ => copy,
        };
    }
}

/// <summary>Registers the generators for <c>[Property]</c> parameters.</summary>
public static class CodecArbitraries
{
    public static Arbitrary<Payload> Payload() => Generators.PlainPayload.ToArbitrary();

    public static Arbitrary<IkeMessage> Message() => Generators.MessageGen.ToArbitrary();

    public static Arbitrary<byte[]> Datagram() => Gen.OneOf(Generators.MutatedDatagram, Generators.Bytes(0, 120)).ToArbitrary();
}
