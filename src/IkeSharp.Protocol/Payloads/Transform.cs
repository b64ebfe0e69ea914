namespace IkeSharp.Protocol;

/*
    RFC 7296 §3.3.2, Transform Substructure:

                         1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Last Substruc |   RESERVED    |        Transform Length       |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |Transform Type |   RESERVED    |          Transform ID         |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                      Transform Attributes                     ~
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

    RFC 7296 §3.3.5, Transform Attributes:

    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |A|       Attribute Type        |    AF=0  Attribute Length     |
    |F|                             |    AF=1  Attribute Value      |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                   AF=0  Attribute Value                       |
    |                   AF=1  Not Transmitted                       |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>
/// One transform. <see cref="Id"/> is interpreted by <see cref="Type"/> (see the typed
/// accessors). The only attribute IKEv2 defines is Key Length (§3.3.5, TV format); any other
/// attributes are kept raw in <see cref="OtherAttributes"/> so the engine can reject the proposal
/// as §3.3.6 requires and the CLI can show them.
/// </summary>
public readonly record struct Transform(TransformType Type, ushort Id, ushort? KeyLength = null, ReadOnlyMemory<byte> OtherAttributes = default)
{
    private const byte LastMarker = 0;
    private const byte MoreMarker = 3;
    private const int HeaderSize = 8;
    private const ushort AttributeFormatTv = 0x8000;

    public static Transform Encryption(EncryptionAlgorithm id, ushort? keyLength = null) => new(TransformType.ENCR, (ushort)id, keyLength);

    public static Transform Prf(PseudorandomFunction id) => new(TransformType.PRF, (ushort)id);

    public static Transform Integrity(IntegrityAlgorithm id) => new(TransformType.INTEG, (ushort)id);

    public static Transform KeyExchange(KeyExchangeMethod id) => new(TransformType.KE, (ushort)id);

    public static Transform SequenceNumbers(ExtendedSequenceNumbers id) => new(TransformType.ESN, (ushort)id);

    public bool HasOtherAttributes => !OtherAttributes.IsEmpty;

    /// <summary>The registry name of the transform ID, e.g. ENCR_AES_GCM_16, PRF_HMAC_SHA2_256, ECP_256.</summary>
    public string IdName => Type switch
    {
        TransformType.ENCR => ((EncryptionAlgorithm)Id).ToString(),
        TransformType.PRF => ((PseudorandomFunction)Id).ToString(),
        TransformType.INTEG => ((IntegrityAlgorithm)Id).ToString(),
        TransformType.KE or >= TransformType.ADDKE1 and <= TransformType.ADDKE7 => ((KeyExchangeMethod)Id).ToString(),
        TransformType.ESN => ((ExtendedSequenceNumbers)Id).ToString(),
        _ => Id.ToString(),
    };

    public override string ToString() => KeyLength is { } bits ? $"{Type}:{IdName}_{bits}" : $"{Type}:{IdName}";

    internal static Transform Read(ref IkeReader reader, out bool isLast)
    {
        var start = reader.Offset;
        var marker = reader.ReadUInt8("Last Substruc");
        reader.SkipReserved(1);
        var length = reader.ReadUInt16("Transform Length");
        if (!reader.Failed && marker is not (LastMarker or MoreMarker))
        {
            reader.FailAt($"transform Last Substruc is {marker}, must be 0 (last) or 3 (more)", start);
        }

        isLast = marker == LastMarker;
        var body = reader.ReadSubstructure(start, length, HeaderSize, "transform");
        var type = (TransformType)body.ReadUInt8("Transform Type");
        body.SkipReserved(1);
        var id = body.ReadUInt16("Transform ID");

        ushort? keyLength = null;
        var attributesOffset = body.Offset;
        var attributes = body.ReadRest();
        var attributeReader = new IkeReader(attributes, attributesOffset, body.Payload);
        var othersStart = -1;
        var othersEnd = -1;
        while (attributeReader.Remaining > 0)
        {
            var attributeStart = attributeReader.Offset - attributesOffset;
            var typeField = attributeReader.ReadUInt16("Attribute Type");
            var value = attributeReader.ReadUInt16("Attribute Value");
            var isTv = (typeField & AttributeFormatTv) != 0;
            if (!isTv)
            {
                // TLV attribute: the second field was its length.
                attributeReader.ReadBytes(value, "attribute value");
            }

            if (isTv && (typeField & ~AttributeFormatTv) == (ushort)TransformAttributeType.KEY_LENGTH && keyLength is null)
            {
                keyLength = value;
            }
            else
            {
                othersStart = othersStart < 0 ? attributeStart : othersStart;
                othersEnd = attributeReader.Offset - attributesOffset;
            }
        }

        body.Absorb(attributeReader);
        reader.Absorb(body);
        var others = othersStart < 0 || reader.Failed ? default : attributes[othersStart..othersEnd];
        return new Transform(type, id, keyLength, others);
    }

    internal void Write(ref IkeWriter writer, bool isLast)
    {
        var start = writer.Position;
        writer.WriteUInt8(isLast ? LastMarker : MoreMarker);
        writer.WriteUInt8(0);
        var length = writer.ReserveUInt16();
        writer.WriteUInt8((byte)Type);
        writer.WriteUInt8(0);
        writer.WriteUInt16(Id);
        if (KeyLength is { } bits)
        {
            writer.WriteUInt16(AttributeFormatTv | (ushort)TransformAttributeType.KEY_LENGTH);
            writer.WriteUInt16(bits);
        }

        writer.WriteBytes(OtherAttributes.Span);
        writer.PatchLength16(length, start);
    }
}
