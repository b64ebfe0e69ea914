using System.Buffers.Binary;

namespace IkeSharp.Cli.Capture;

/// <summary>
/// pcapng file format (draft-ietf-opsawg-pcapng). The file is a sequence of blocks, each
/// <c>type(4) total-length(4) body total-length(4)</c>; a Section Header Block fixes the byte order
/// and starts a new, independent set of interfaces.
/// </summary>
internal sealed class PcapNgFrameReader : FrameReader
{
    /// <summary>Section Header Block type; a byte palindrome so it reads the same in either order (§4.1).</summary>
    public const uint SectionHeaderBlockType = 0x0A0D0D0A;

    private const uint InterfaceDescriptionBlockType = 0x00000001;
    private const uint ObsoletePacketBlockType = 0x00000002;
    private const uint SimplePacketBlockType = 0x00000003;
    private const uint EnhancedPacketBlockType = 0x00000006;

    private const uint ByteOrderMagic = 0x1A2B3C4D;

    // Type, leading total length and trailing total length.
    private const int BlockFramingLength = 12;

    // IDB options (§4.2): if_tsresol gives the timestamp unit, if_tsoffset a seconds offset.
    private const ushort OptionEndOfOptions = 0;
    private const ushort OptionTimestampResolution = 9;
    private const ushort OptionTimestampOffset = 14;

    private readonly CaptureInput _input;
    private readonly List<InterfaceDescription> _interfaces = [];
    private bool _bigEndian;
    private bool _firstBlockTypeConsumed = true;

    /// <summary>Starts on the first Section Header Block, whose type has already been consumed as the magic.</summary>
    public PcapNgFrameReader(CaptureInput input)
    {
        _input = input;
    }

    public override bool MoveNext()
    {
        Span<byte> word = stackalloc byte[4];
        while (true)
        {
            long blockOffset;
            uint blockType;
            if (_firstBlockTypeConsumed)
            {
                _firstBlockTypeConsumed = false;
                blockOffset = 0;
                blockType = SectionHeaderBlockType;
            }
            else
            {
                blockOffset = _input.Offset;
                if (!_input.TryReadExactly(word, "pcapng block type"))
                {
                    return false;
                }

                blockType = ReadUInt32(word);
            }

            if (blockType == SectionHeaderBlockType)
            {
                ReadSectionHeader(blockOffset);
                continue;
            }

            _input.ReadExactly(word, "pcapng block total length");
            var totalLength = ReadUInt32(word);
            ValidateTotalLength(blockOffset, totalLength, BlockFramingLength);
            var bodyLength = totalLength - BlockFramingLength;

            switch (blockType)
            {
                case InterfaceDescriptionBlockType:
                    ReadInterfaceDescription(blockOffset, ReadBody(blockOffset, totalLength, bodyLength));
                    break;
                case EnhancedPacketBlockType:
                    ReadEnhancedPacket(blockOffset, ReadBody(blockOffset, totalLength, bodyLength));
                    return true;
                case SimplePacketBlockType:
                    ReadSimplePacket(blockOffset, ReadBody(blockOffset, totalLength, bodyLength));
                    return true;
                case ObsoletePacketBlockType:
                    ReadObsoletePacket(blockOffset, ReadBody(blockOffset, totalLength, bodyLength));
                    return true;
                default:
                    // §3.1: a reader skips blocks it does not understand using the total length
                    // (name resolution, statistics, decryption secrets, custom blocks, ...).
                    _input.Skip(bodyLength, "pcapng block body");
                    ReadTrailingLength(blockOffset, totalLength);
                    break;
            }
        }
    }

    /// <summary>
    /// §4.1: the byte-order magic tells the byte order of the whole section. Its total length
    /// follows the type, so it can only be decoded after looking at the magic.
    /// </summary>
    private void ReadSectionHeader(long blockOffset)
    {
        Span<byte> lengthAndMagic = stackalloc byte[8];
        _input.ReadExactly(lengthAndMagic, "pcapng section header");
        var magic = lengthAndMagic[4..];
        if (BinaryPrimitives.ReadUInt32BigEndian(magic) == ByteOrderMagic)
        {
            _bigEndian = true;
        }
        else if (BinaryPrimitives.ReadUInt32LittleEndian(magic) == ByteOrderMagic)
        {
            _bigEndian = false;
        }
        else
        {
            throw new CaptureFormatException(blockOffset + 8, $"pcapng section header byte-order magic is 0x{BinaryPrimitives.ReadUInt32BigEndian(magic):X8}, expected 0x1A2B3C4D in either byte order");
        }

        var totalLength = ReadUInt32(lengthAndMagic);

        // Type, length, magic, version (4), section length (8), trailing length.
        ValidateTotalLength(blockOffset, totalLength, 28);
        var body = ReadBody(blockOffset, totalLength, totalLength - 16).Span;
        var major = ReadUInt16(body);
        var minor = ReadUInt16(body[2..]);

        // §4.1: a different major version means an incompatible layout; readers must not go on.
        // Minor version 2 was written by some old tools and is read like 1.0, so minor is not checked.
        if (major != 1)
        {
            throw new CaptureFormatException(blockOffset + 12, $"unsupported pcapng version {major}.{minor} (only 1.x is defined)");
        }

        // Interface IDs are per section (§4.2), so a new section forgets the previous interfaces.
        _interfaces.Clear();
    }

    private void ReadInterfaceDescription(long blockOffset, ReadOnlyMemory<byte> memory)
    {
        var body = memory.Span;
        if (body.Length < 8)
        {
            throw new CaptureFormatException(blockOffset, $"pcapng interface description block body is {body.Length} octets, needs at least 8");
        }

        var linkType = ReadUInt16(body);
        var snapLength = ReadUInt32(body[4..]);

        // Default resolution is 10^-6 s (§4.2, if_tsresol).
        byte resolution = 6;
        long offsetSeconds = 0;
        var options = body[8..];
        var optionOffset = blockOffset + 8 + 8;
        while (options.Length >= 4)
        {
            var code = ReadUInt16(options);
            var length = ReadUInt16(options[2..]);
            var padded = (length + 3) & ~3;
            if (padded > options.Length - 4)
            {
                throw new CaptureFormatException(optionOffset, $"pcapng option {code} length {length} runs past the end of its block");
            }

            var value = options.Slice(4, length);
            if (code == OptionEndOfOptions)
            {
                break;
            }

            if (code == OptionTimestampResolution && length == 1)
            {
                resolution = value[0];
            }
            else if (code == OptionTimestampOffset && length == 8)
            {
                offsetSeconds = _bigEndian ? BinaryPrimitives.ReadInt64BigEndian(value) : BinaryPrimitives.ReadInt64LittleEndian(value);
            }

            options = options[(4 + padded)..];
            optionOffset += 4 + padded;
        }

        _interfaces.Add(new InterfaceDescription(linkType, snapLength, resolution, offsetSeconds));
    }

    private void ReadEnhancedPacket(long blockOffset, ReadOnlyMemory<byte> memory)
    {
        // §4.3: interface ID(4) timestamp high(4) low(4) captured length(4) original length(4) data options.
        var body = memory.Span;
        if (body.Length < 20)
        {
            throw new CaptureFormatException(blockOffset, $"pcapng enhanced packet block body is {body.Length} octets, needs at least 20");
        }

        var interfaceDescription = GetInterface(blockOffset, ReadUInt32(body));
        var timestamp = ((ulong)ReadUInt32(body[4..]) << 32) | ReadUInt32(body[8..]);
        var capturedLength = ReadUInt32(body[12..]);
        SetFrame(blockOffset, interfaceDescription, timestamp, memory[20..], capturedLength);
    }

    private void ReadObsoletePacket(long blockOffset, ReadOnlyMemory<byte> memory)
    {
        // Appendix (Packet Block, obsolete): interface ID(2) drops count(2), then as in the EPB.
        var body = memory.Span;
        if (body.Length < 20)
        {
            throw new CaptureFormatException(blockOffset, $"pcapng packet block body is {body.Length} octets, needs at least 20");
        }

        var interfaceDescription = GetInterface(blockOffset, ReadUInt16(body));
        var timestamp = ((ulong)ReadUInt32(body[4..]) << 32) | ReadUInt32(body[8..]);
        var capturedLength = ReadUInt32(body[12..]);
        SetFrame(blockOffset, interfaceDescription, timestamp, memory[20..], capturedLength);
    }

    private void ReadSimplePacket(long blockOffset, ReadOnlyMemory<byte> memory)
    {
        // §4.4: original length(4) then data. The SPB has no interface ID (it belongs to the first
        // interface), no timestamp and no captured length: that is the minimum of the original
        // length, the interface snap length (0 = unlimited) and the room in the block.
        var body = memory.Span;
        if (body.Length < 4)
        {
            throw new CaptureFormatException(blockOffset, $"pcapng simple packet block body is {body.Length} octets, needs at least 4");
        }

        var interfaceDescription = GetInterface(blockOffset, 0);
        var originalLength = ReadUInt32(body);
        var capturedLength = Math.Min(originalLength, (uint)(body.Length - 4));
        if (interfaceDescription.SnapLength != 0)
        {
            capturedLength = Math.Min(capturedLength, interfaceDescription.SnapLength);
        }

        // The SPB carries no timestamp at all; the Unix epoch stands for "unknown".
        LinkType = interfaceDescription.LinkType;
        Timestamp = DateTimeOffset.UnixEpoch;
        Data = memory.Slice(4, (int)capturedLength);
    }

    private void SetFrame(long blockOffset, InterfaceDescription interfaceDescription, ulong timestamp, ReadOnlyMemory<byte> data, uint capturedLength)
    {
        if (capturedLength > data.Length)
        {
            throw new CaptureFormatException(blockOffset, $"pcapng packet captured length {capturedLength} exceeds the {data.Length} octets left in the block");
        }

        LinkType = interfaceDescription.LinkType;
        Timestamp = interfaceDescription.ToTimestamp(blockOffset, timestamp);
        Data = data[..(int)capturedLength];
    }

    private InterfaceDescription GetInterface(long blockOffset, uint interfaceId)
    {
        if (interfaceId >= _interfaces.Count)
        {
            throw new CaptureFormatException(blockOffset, $"pcapng packet refers to interface {interfaceId} but the section has {_interfaces.Count} interface description block(s) before it");
        }

        return _interfaces[(int)interfaceId];
    }

    private ReadOnlyMemory<byte> ReadBody(long blockOffset, uint totalLength, uint bodyLength)
    {
        if (bodyLength > CaptureInput.MaxRecordLength)
        {
            throw new CaptureFormatException(blockOffset, $"pcapng block body of {bodyLength} octets is implausibly large");
        }

        var body = _input.ReadRecord((int)bodyLength, "pcapng block body");
        ReadTrailingLength(blockOffset, totalLength);
        return body;
    }

    private static void ValidateTotalLength(long blockOffset, uint totalLength, uint minimum)
    {
        // §3.1: Block Total Length is a multiple of 4 and covers the whole block, framing included.
        if (totalLength % 4 != 0)
        {
            throw new CaptureFormatException(blockOffset + 4, $"pcapng block total length {totalLength} is not a multiple of 4");
        }

        if (totalLength < minimum)
        {
            throw new CaptureFormatException(blockOffset + 4, $"pcapng block total length {totalLength} is less than the minimum {minimum}");
        }
    }

    private void ReadTrailingLength(long blockOffset, uint totalLength)
    {
        Span<byte> word = stackalloc byte[4];
        var trailerOffset = _input.Offset;
        _input.ReadExactly(word, "pcapng block trailing total length");
        var trailing = ReadUInt32(word);
        if (trailing != totalLength)
        {
            throw new CaptureFormatException(trailerOffset, $"pcapng block at offset {blockOffset}: trailing total length {trailing} differs from leading total length {totalLength}");
        }
    }

    private ushort ReadUInt16(ReadOnlySpan<byte> source) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(source) : BinaryPrimitives.ReadUInt16LittleEndian(source);

    private uint ReadUInt32(ReadOnlySpan<byte> source) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(source) : BinaryPrimitives.ReadUInt32LittleEndian(source);
}
