using System.Collections.Immutable;

namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.13, Traffic Selector Payload (TSi, TSr):

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C|  RESERVED   |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Number of TSs |                 RESERVED                      |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                       <Traffic Selectors>                     ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>TSi or TSr payload: the traffic selectors one side proposes or accepts.</summary>
public sealed record TrafficSelectorPayload(PayloadType Type, ImmutableArray<TrafficSelector> Selectors) : Payload
{
    public override PayloadType Type { get; } = Type is PayloadType.TSi or PayloadType.TSr
        ? Type
        : throw new ArgumentException($"a traffic selector payload is TSi or TSr, not {Type}", nameof(Type));

    public static TrafficSelectorPayload Read(ref IkeReader reader, PayloadType type)
    {
        var start = reader.Offset;
        var count = reader.ReadUInt8("Number of TSs");
        reader.SkipReserved(3);
        var selectors = ImmutableArray.CreateBuilder<TrafficSelector>(count);
        while (reader.Remaining > 0)
        {
            selectors.Add(TrafficSelector.Read(ref reader));
        }

        if (!reader.Failed && selectors.Count != count)
        {
            reader.FailAt($"Number of TSs is {count} but {selectors.Count} selectors follow", start);
        }

        if (!reader.Failed && count == 0)
        {
            reader.FailAt("a traffic selector payload must hold at least one selector", start);
        }

        return new TrafficSelectorPayload(type, selectors.DrainToImmutable());
    }

    public override void WriteBody(ref IkeWriter writer)
    {
        writer.WriteUInt8(checked((byte)Selectors.Length));
        writer.WriteZeros(3);
        foreach (var selector in Selectors)
        {
            selector.Write(ref writer);
        }
    }
}
