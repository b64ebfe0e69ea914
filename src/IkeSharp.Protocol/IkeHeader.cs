using System.Buffers.Binary;

namespace IkeSharp.Protocol;

/// <summary>IKE Header Flags (RFC 7296 §3.1).</summary>
[Flags]
public enum IkeHeaderFlags : byte
{
    None = 0,
    /// <summary>I: set by the original initiator of the IKE SA.</summary>
    Initiator = 0x08,
    /// <summary>V: the sender can speak a higher major version.</summary>
    Version = 0x10,
    /// <summary>R: this message is a response to a message with the same Message ID.</summary>
    Response = 0x20,
}

/*
    RFC 7296 §3.1, IKE Header:

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                       IKE SA Initiator's SPI                  |
    |                                                               |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                       IKE SA Responder's SPI                  |
    |                                                               |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                          Message ID                           |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                            Length                             |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>The fixed 28-octet IKE header.</summary>
public readonly record struct IkeHeader(
    ulong InitiatorSpi,
    ulong ResponderSpi,
    PayloadType NextPayload,
    byte MajorVersion,
    byte MinorVersion,
    ExchangeType ExchangeType,
    IkeHeaderFlags Flags,
    uint MessageId,
    uint Length)
{
    public const int Size = 28;

    /// <summary>IKEv2 is major version 2, minor version 0 (RFC 7296 §3.1).</summary>
    public const byte IkeV2MajorVersion = 2;

    public bool IsResponse => (Flags & IkeHeaderFlags.Response) != 0;

    /// <summary>True when the sender is the original initiator of the IKE SA (I flag).</summary>
    public bool FromOriginalInitiator => (Flags & IkeHeaderFlags.Initiator) != 0;

    /// <summary>Builds an IKEv2 header; Next Payload and Length are back-filled by <see cref="IkeWriter"/>.</summary>
    public static IkeHeader Create(ulong initiatorSpi, ulong responderSpi, ExchangeType exchange, IkeHeaderFlags flags, uint messageId)
        => new(initiatorSpi, responderSpi, PayloadType.NONE, IkeV2MajorVersion, 0, exchange, flags, messageId, 0);

    /// <summary>
    /// Reads the header without allocating, for the receive path's SPI lookup. Checks only that
    /// 28 octets are present and that the Length field matches <paramref name="datagram"/>.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out IkeHeader header, out DecodeError error)
    {
        header = default;
        if (datagram.Length < Size)
        {
            error = new DecodeError($"datagram of {datagram.Length} octets is shorter than the {Size}-octet IKE header", null, 0);
            return false;
        }

        var versions = datagram[17];
        header = new IkeHeader(
            BinaryPrimitives.ReadUInt64BigEndian(datagram),
            BinaryPrimitives.ReadUInt64BigEndian(datagram[8..]),
            (PayloadType)datagram[16],
            (byte)(versions >> 4),
            (byte)(versions & 0x0f),
            (ExchangeType)datagram[18],
            (IkeHeaderFlags)datagram[19],
            BinaryPrimitives.ReadUInt32BigEndian(datagram[20..]),
            BinaryPrimitives.ReadUInt32BigEndian(datagram[24..]));

        if (header.Length != (uint)datagram.Length)
        {
            error = new DecodeError($"header Length {header.Length} differs from the datagram's {datagram.Length} octets", null, 24);
            return false;
        }

        error = default;
        return true;
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, InitiatorSpi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], ResponderSpi);
        destination[16] = (byte)NextPayload;
        destination[17] = (byte)((MajorVersion << 4) | (MinorVersion & 0x0f));
        destination[18] = (byte)ExchangeType;
        destination[19] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], MessageId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], Length);
    }
}
