using System.Collections.Immutable;

namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.15, Configuration Payload:

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Next Payload  |C| RESERVED    |         Payload Length        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |   CFG Type    |                    RESERVED                   |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                   Configuration Attributes                    ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    RFC 7296 §3.15.1, Configuration Attribute:

    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |R|         Attribute Type      |            Length             |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                             Value                             ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>One configuration attribute; an empty value in a CFG_REQUEST asks for any value.</summary>
public readonly record struct ConfigurationAttribute(ConfigurationAttributeType Type, ReadOnlyMemory<byte> Value);

/// <summary>CP payload: configuration requests and replies (virtual IPs, DNS servers...).</summary>
public sealed record ConfigurationPayload(ConfigurationType ConfigurationType, ImmutableArray<ConfigurationAttribute> Attributes) : Payload
{
    public override PayloadType Type => PayloadType.CP;

    public static ConfigurationPayload Read(ref IkeReader reader)
    {
        var cfgType = (ConfigurationType)reader.ReadUInt8("CFG Type");
        reader.SkipReserved(3);
        var attributes = ImmutableArray.CreateBuilder<ConfigurationAttribute>();
        while (reader.Remaining > 0)
        {
            // The R bit is reserved and ignored on receipt (§3.15.1).
            var type = (ConfigurationAttributeType)(reader.ReadUInt16("Attribute Type") & 0x7fff);
            var length = reader.ReadUInt16("Length");
            attributes.Add(new ConfigurationAttribute(type, reader.ReadBytes(length, "attribute value")));
        }

        return new ConfigurationPayload(cfgType, attributes.DrainToImmutable());
    }

    public override void WriteBody(ref IkeWriter writer)
    {
        writer.WriteUInt8((byte)ConfigurationType);
        writer.WriteZeros(3);
        foreach (var attribute in Attributes)
        {
            writer.WriteUInt16((ushort)attribute.Type);
            writer.WriteUInt16(checked((ushort)attribute.Value.Length));
            writer.WriteBytes(attribute.Value.Span);
        }
    }
}
