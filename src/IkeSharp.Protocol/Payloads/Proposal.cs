using System.Collections.Immutable;

namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.3.1, Proposal Substructure:

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Last Substruc |   RESERVED    |         Proposal Length       |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                        SPI (variable)                         ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                        <Transforms>                           ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>
/// One proposal: a protocol (IKE, ESP, AH), the sender's SPI for it (empty for a first IKE SA
/// proposal, 8 octets when rekeying an IKE SA, 4 for ESP/AH) and its transforms.
/// </summary>
public sealed record Proposal(byte Number, ProtocolId Protocol, ReadOnlyMemory<byte> Spi, ImmutableArray<Transform> Transforms)
{
    private const byte LastMarker = 0;
    private const byte MoreMarker = 2;
    private const int HeaderSize = 8;

    /// <summary>The transform IDs of one type in this proposal, in the sender's order.</summary>
    public IEnumerable<Transform> OfType(TransformType type) => Transforms.Where(t => t.Type == type);

    internal static Proposal Read(ref IkeReader reader, out bool isLast)
    {
        var start = reader.Offset;
        var marker = reader.ReadUInt8("Last Substruc");
        reader.SkipReserved(1);
        var length = reader.ReadUInt16("Proposal Length");
        if (!reader.Failed && marker is not (LastMarker or MoreMarker))
        {
            reader.FailAt($"proposal Last Substruc is {marker}, must be 0 (last) or 2 (more)", start);
        }

        isLast = marker == LastMarker;
        var body = reader.ReadSubstructure(start, length, HeaderSize, "proposal");
        var number = body.ReadUInt8("Proposal Num");
        var protocol = (ProtocolId)body.ReadUInt8("Protocol ID");
        var spiSize = body.ReadUInt8("SPI Size");
        var count = body.ReadUInt8("Num Transforms");
        var spi = body.ReadBytes(spiSize, "SPI");

        var transforms = ImmutableArray.CreateBuilder<Transform>(count);
        var sawLast = false;
        while (body.Remaining > 0)
        {
            if (sawLast)
            {
                body.Fail("transform follows one marked last (Last Substruc 0)");
                break;
            }

            transforms.Add(Transform.Read(ref body, out sawLast));
        }

        if (!body.Failed && transforms.Count != count)
        {
            body.FailAt($"proposal {number} announces {count} transforms but holds {transforms.Count}", start);
        }

        reader.Absorb(body);
        return new Proposal(number, protocol, spi, transforms.Count == count ? transforms.MoveToImmutable() : transforms.ToImmutable());
    }

    internal void Write(ref IkeWriter writer, bool isLast)
    {
        var start = writer.Position;
        writer.WriteUInt8(isLast ? LastMarker : MoreMarker);
        writer.WriteUInt8(0);
        var length = writer.ReserveUInt16();
        writer.WriteUInt8(Number);
        writer.WriteUInt8((byte)Protocol);
        writer.WriteUInt8(checked((byte)Spi.Length));
        writer.WriteUInt8(checked((byte)Transforms.Length));
        writer.WriteBytes(Spi.Span);
        for (var i = 0; i < Transforms.Length; i++)
        {
            Transforms[i].Write(ref writer, isLast: i == Transforms.Length - 1);
        }

        writer.PatchLength16(length, start);
    }
}
