using System.Buffers.Binary;
using System.Collections.Immutable;

namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.11, Delete Payload:

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C|  RESERVED   |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Protocol ID   |   SPI Size    |          Num of SPIs          |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~               Security Parameter Index(es) (SPI)              ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>
/// Delete payload. §3.11: for the IKE SA the SPI size is 0 and no SPI follows (the SA is the one
/// in the header); for ESP and AH each SPI is 4 octets, the SPI the sender uses inbound.
/// </summary>
public sealed record DeletePayload(ProtocolId Protocol, ImmutableArray<uint> Spis) : Payload
{
    public override PayloadType Type => PayloadType.D;

    public static DeletePayload IkeSa() => new(ProtocolId.IKE, []);

    public static DeletePayload Read(ref IkeReader reader)
    {
        var start = reader.Offset;
        var protocol = (ProtocolId)reader.ReadUInt8("Protocol ID");
        var spiSize = reader.ReadUInt8("SPI Size");
        var count = reader.ReadUInt16("Num of SPIs");
        var expectedSize = protocol == ProtocolId.IKE ? 0 : 4;
        if (!reader.Failed && spiSize != expectedSize)
        {
            reader.FailAt($"SPI Size {spiSize} for protocol {protocol}, must be {expectedSize}", start);
        }
        else if (!reader.Failed && reader.Remaining != count * spiSize)
        {
            reader.FailAt($"{count} SPIs of {spiSize} octets announced but {reader.Remaining} octets follow", start);
        }

        var data = reader.ReadRest().Span;
        var spis = ImmutableArray.CreateBuilder<uint>(spiSize == 4 ? data.Length / 4 : 0);
        for (var i = 0; spiSize == 4 && i + 4 <= data.Length; i += 4)
        {
            spis.Add(BinaryPrimitives.ReadUInt32BigEndian(data[i..]));
        }

        return new DeletePayload(protocol, spis.DrainToImmutable());
    }

    public override void WriteBody(ref IkeWriter writer)
    {
        writer.WriteUInt8((byte)Protocol);
        writer.WriteUInt8(Protocol == ProtocolId.IKE ? (byte)0 : (byte)4);
        writer.WriteUInt16(checked((ushort)Spis.Length));
        foreach (var spi in Spis)
        {
            writer.WriteUInt32(spi);
        }
    }
}
