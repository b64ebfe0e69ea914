using System.Buffers.Binary;

namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.10, Notify Payload:

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C|  RESERVED   |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |  Protocol ID  |   SPI Size    |      Notify Message Type      |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                Security Parameter Index (SPI)                 ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                       Notification Data                       ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>Notify payload: an error or status type, an optional SPI, and type-specific data.</summary>
public sealed record NotifyPayload(ProtocolId Protocol, ReadOnlyMemory<byte> Spi, NotifyType NotifyType, ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.N;

    /// <summary>A notify about the IKE SA itself (Protocol ID 0, no SPI, §3.10).</summary>
    public static NotifyPayload Create(NotifyType type, ReadOnlyMemory<byte> data = default) => new(ProtocolId.NONE, default, type, data);

    /// <summary>INVALID_KE_PAYLOAD: the 2-octet group the responder wants (§3.10.1).</summary>
    public static NotifyPayload InvalidKePayload(KeyExchangeMethod wanted)
    {
        var data = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)wanted);
        return Create(NotifyType.INVALID_KE_PAYLOAD, data);
    }

    /// <summary>SIGNATURE_HASH_ALGORITHMS: a list of 2-octet hash identifiers (RFC 7427 §4).</summary>
    public static NotifyPayload SignatureHashAlgorithms(IReadOnlyList<HashAlgorithm> hashes)
    {
        var data = new byte[hashes.Count * 2];
        for (var i = 0; i < hashes.Count; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(i * 2), (ushort)hashes[i]);
        }

        return Create(NotifyType.SIGNATURE_HASH_ALGORITHMS, data);
    }

    /// <summary>The group asked for by INVALID_KE_PAYLOAD, if the data has the right size.</summary>
    public KeyExchangeMethod? RequestedKeyExchange => NotifyType == NotifyType.INVALID_KE_PAYLOAD && Data.Length == 2
        ? (KeyExchangeMethod)BinaryPrimitives.ReadUInt16BigEndian(Data.Span)
        : null;

    /// <summary>The hash identifiers of SIGNATURE_HASH_ALGORITHMS (an odd last octet is ignored).</summary>
    public IReadOnlyList<HashAlgorithm> HashAlgorithms()
    {
        if (NotifyType != NotifyType.SIGNATURE_HASH_ALGORITHMS)
        {
            return [];
        }

        var result = new HashAlgorithm[Data.Length / 2];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (HashAlgorithm)BinaryPrimitives.ReadUInt16BigEndian(Data.Span[(i * 2)..]);
        }

        return result;
    }

    public static NotifyPayload Read(ref IkeReader reader)
    {
        var protocol = (ProtocolId)reader.ReadUInt8("Protocol ID");
        var spiSize = reader.ReadUInt8("SPI Size");
        var type = (NotifyType)reader.ReadUInt16("Notify Message Type");
        var spi = reader.ReadBytes(spiSize, "SPI");
        return new NotifyPayload(protocol, spi, type, reader.ReadRest());
    }

    public override void WriteBody(ref IkeWriter writer)
    {
        writer.WriteUInt8((byte)Protocol);
        writer.WriteUInt8(checked((byte)Spi.Length));
        writer.WriteUInt16((ushort)NotifyType);
        writer.WriteBytes(Spi.Span);
        writer.WriteBytes(Data.Span);
    }
}
