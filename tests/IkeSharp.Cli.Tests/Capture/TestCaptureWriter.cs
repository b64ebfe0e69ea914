using System.Buffers.Binary;

namespace IkeSharp.Cli.Tests.Capture;

/// <summary>Writes classic pcap files (draft-ietf-opsawg-pcap) in either byte order and resolution.</summary>
internal sealed class TestPcapWriter
{
    private readonly List<byte> _output = [];
    private readonly bool _bigEndian;

    public TestPcapWriter(int linkType, bool bigEndian = false, bool nanoseconds = false, uint snapLength = 262144, ushort major = 2, uint? magic = null)
    {
        _bigEndian = bigEndian;
        WriteUInt32(magic ?? (nanoseconds ? 0xA1B23C4Du : 0xA1B2C3D4u));
        WriteUInt16(major);
        WriteUInt16(4);
        WriteUInt32(0);
        WriteUInt32(0);
        WriteUInt32(snapLength);
        WriteUInt32((uint)linkType);
    }

    /// <summary>Adds a record; <paramref name="capturedLength"/> defaults to the data length.</summary>
    public TestPcapWriter Packet(byte[] data, uint seconds = 1_700_000_000, uint fraction = 0, uint? capturedLength = null, uint? originalLength = null)
    {
        WriteUInt32(seconds);
        WriteUInt32(fraction);
        WriteUInt32(capturedLength ?? (uint)data.Length);
        WriteUInt32(originalLength ?? (uint)data.Length);
        _output.AddRange(data);
        return this;
    }

    /// <summary>Appends raw bytes, for malformed files.</summary>
    public TestPcapWriter Raw(byte[] data)
    {
        _output.AddRange(data);
        return this;
    }

    public byte[] ToArray() => [.. _output];

    private void WriteUInt16(ushort value)
    {
        Span<byte> buffer = stackalloc byte[2];
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(buffer, value);
        }

        _output.AddRange(buffer);
    }

    private void WriteUInt32(uint value)
    {
        Span<byte> buffer = stackalloc byte[4];
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(buffer, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        }

        _output.AddRange(buffer);
    }
}

/// <summary>
/// Writes pcapng files (draft-ietf-opsawg-pcapng). Each <see cref="Section"/> switches the byte order
/// used for the blocks that follow it.
/// </summary>
internal sealed class TestPcapNgWriter
{
    public const uint SectionHeaderType = 0x0A0D0D0A;
    public const uint InterfaceDescriptionType = 1;
    public const uint ObsoletePacketType = 2;
    public const uint SimplePacketType = 3;
    public const uint NameResolutionType = 4;
    public const uint InterfaceStatisticsType = 5;
    public const uint EnhancedPacketType = 6;

    private readonly List<byte> _output = [];
    private bool _bigEndian;

    public TestPcapNgWriter Section(bool bigEndian = false, ushort major = 1, ushort minor = 0)
    {
        _bigEndian = bigEndian;
        var body = new List<byte>();
        AddUInt32(body, 0x1A2B3C4D);
        AddUInt16(body, major);
        AddUInt16(body, minor);
        AddUInt32(body, 0xFFFFFFFF);
        AddUInt32(body, 0xFFFFFFFF);

        // shb_userappl option, so readers must walk options they ignore.
        AddOption(body, 4, "IkeSharp tests"u8.ToArray());
        AddOption(body, 0, []);
        return Block(SectionHeaderType, [.. body]);
    }

    /// <param name="linkType">LINKTYPE_* value.</param>
    /// <param name="snapLength">Snap length; 0 = unlimited.</param>
    /// <param name="resolution">if_tsresol octet, or null to omit the option (µs default).</param>
    /// <param name="offsetSeconds">if_tsoffset, or null to omit.</param>
    public TestPcapNgWriter Interface(int linkType, uint snapLength = 0, byte? resolution = null, long? offsetSeconds = null)
    {
        var body = new List<byte>();
        AddUInt16(body, (ushort)linkType);
        AddUInt16(body, 0);
        AddUInt32(body, snapLength);
        AddOption(body, 2, "eth0"u8.ToArray());
        if (resolution is { } r)
        {
            AddOption(body, 9, [r]);
        }

        if (offsetSeconds is { } o)
        {
            var value = new byte[8];
            if (_bigEndian)
            {
                BinaryPrimitives.WriteInt64BigEndian(value, o);
            }
            else
            {
                BinaryPrimitives.WriteInt64LittleEndian(value, o);
            }

            AddOption(body, 14, value);
        }

        AddOption(body, 0, []);
        return Block(InterfaceDescriptionType, [.. body]);
    }

    public TestPcapNgWriter Enhanced(uint interfaceId, ulong timestamp, byte[] data, uint? capturedLength = null, uint? originalLength = null)
    {
        var body = new List<byte>();
        AddUInt32(body, interfaceId);
        AddUInt32(body, (uint)(timestamp >> 32));
        AddUInt32(body, (uint)timestamp);
        AddUInt32(body, capturedLength ?? (uint)data.Length);
        AddUInt32(body, originalLength ?? (uint)data.Length);
        AddPadded(body, data);

        // epb_flags option after the data: the reader must use the captured length, not the block end.
        AddOption(body, 2, [0, 0, 0, 1]);
        AddOption(body, 0, []);
        return Block(EnhancedPacketType, [.. body]);
    }

    public TestPcapNgWriter Simple(byte[] data, uint? originalLength = null)
    {
        var body = new List<byte>();
        AddUInt32(body, originalLength ?? (uint)data.Length);
        AddPadded(body, data);
        return Block(SimplePacketType, [.. body]);
    }

    public TestPcapNgWriter Obsolete(ushort interfaceId, ulong timestamp, byte[] data)
    {
        var body = new List<byte>();
        AddUInt16(body, interfaceId);
        AddUInt16(body, 0);
        AddUInt32(body, (uint)(timestamp >> 32));
        AddUInt32(body, (uint)timestamp);
        AddUInt32(body, (uint)data.Length);
        AddUInt32(body, (uint)data.Length);
        AddPadded(body, data);
        return Block(ObsoletePacketType, [.. body]);
    }

    /// <summary>A block with correct framing around an arbitrary body (padded to 4).</summary>
    public TestPcapNgWriter Block(uint type, byte[] body)
    {
        var padded = (body.Length + 3) & ~3;
        var totalLength = (uint)(12 + padded);
        return RawBlock(type, totalLength, [.. body, .. new byte[padded - body.Length]], totalLength);
    }

    /// <summary>A block with caller-chosen (possibly inconsistent) lengths.</summary>
    public TestPcapNgWriter RawBlock(uint type, uint leadingLength, byte[] body, uint trailingLength)
    {
        var bytes = new List<byte>();
        AddUInt32(bytes, type);
        AddUInt32(bytes, leadingLength);
        bytes.AddRange(body);
        AddUInt32(bytes, trailingLength);
        _output.AddRange([.. bytes]);
        return this;
    }

    public TestPcapNgWriter Raw(byte[] data)
    {
        _output.AddRange(data);
        return this;
    }

    public byte[] ToArray() => [.. _output];

    private static void AddPadded(List<byte> body, byte[] data)
    {
        body.AddRange(data);
        body.AddRange(new byte[((data.Length + 3) & ~3) - data.Length]);
    }

    private void AddOption(List<byte> body, ushort code, byte[] value)
    {
        AddUInt16(body, code);
        AddUInt16(body, (ushort)value.Length);
        AddPadded(body, value);
    }

    private void AddUInt16(List<byte> list, ushort value)
    {
        var buffer = new byte[2];
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(buffer, value);
        }

        list.AddRange(buffer);
    }

    private void AddUInt32(List<byte> list, uint value)
    {
        var buffer = new byte[4];
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(buffer, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        }

        list.AddRange(buffer);
    }
}
