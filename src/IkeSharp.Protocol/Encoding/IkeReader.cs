using System.Buffers.Binary;

namespace IkeSharp.Protocol;

/// <summary>
/// Forward-only reader over part of a datagram with a sticky error: the first failed read
/// records a <see cref="DecodeError"/>, and every later read returns zero/empty and leaves
/// <see cref="Remaining"/> at 0, so parsers are written as straight-line code and loops end.
/// Nothing here throws; slices returned share the datagram's memory (no copies).
/// </summary>
public ref struct IkeReader
{
    private readonly ReadOnlyMemory<byte> _buffer;
    private readonly ReadOnlySpan<byte> _span;
    private readonly int _baseOffset;
    private int _position;
    private DecodeError? _error;

    /// <param name="buffer">The octets to read.</param>
    /// <param name="baseOffset">Offset of <paramref name="buffer"/> within the datagram, for error messages.</param>
    /// <param name="payload">The payload being read, for error messages.</param>
    public IkeReader(ReadOnlyMemory<byte> buffer, int baseOffset = 0, PayloadType? payload = null)
    {
        _buffer = buffer;
        _span = buffer.Span;
        _baseOffset = baseOffset;
        Payload = payload;
    }

    /// <summary>The payload named in errors recorded from now on.</summary>
    public PayloadType? Payload { get; set; }

    public readonly int Remaining => _error is null ? _span.Length - _position : 0;

    /// <summary>Offset of the next octet within the datagram.</summary>
    public readonly int Offset => _baseOffset + _position;

    public readonly bool Failed => _error is not null;

    public readonly DecodeError? Error => _error;

    /// <summary>Records <paramref name="reason"/> (the first failure wins) and stops the reader.</summary>
    public void Fail(string reason) => FailAt(reason, Offset);

    public void FailAt(string reason, int offset)
    {
        _error ??= new DecodeError(reason, Payload, offset);
    }

    public byte ReadUInt8(string field)
    {
        if (!Ensure(1, field))
        {
            return 0;
        }

        return _span[_position++];
    }

    public ushort ReadUInt16(string field)
    {
        if (!Ensure(2, field))
        {
            return 0;
        }

        var value = BinaryPrimitives.ReadUInt16BigEndian(_span[_position..]);
        _position += 2;
        return value;
    }

    public uint ReadUInt32(string field)
    {
        if (!Ensure(4, field))
        {
            return 0;
        }

        var value = BinaryPrimitives.ReadUInt32BigEndian(_span[_position..]);
        _position += 4;
        return value;
    }

    public ulong ReadUInt64(string field)
    {
        if (!Ensure(8, field))
        {
            return 0;
        }

        var value = BinaryPrimitives.ReadUInt64BigEndian(_span[_position..]);
        _position += 8;
        return value;
    }

    /// <summary>Reads <paramref name="length"/> octets as a slice of the datagram.</summary>
    public ReadOnlyMemory<byte> ReadBytes(int length, string field)
    {
        if (length < 0)
        {
            Fail($"{field} length {length} is negative");
            return default;
        }

        if (!Ensure(length, field))
        {
            return default;
        }

        var slice = _buffer.Slice(_position, length);
        _position += length;
        return slice;
    }

    /// <summary>Reads everything that is left.</summary>
    public ReadOnlyMemory<byte> ReadRest() => ReadBytes(Remaining, "data");

    /// <summary>Skips reserved octets; RFC 7296 §3.2: sent as zero, ignored on receipt.</summary>
    public void SkipReserved(int count) => ReadBytes(count, "RESERVED");

    /// <summary>
    /// Reads a length-delimited substructure (proposal, transform, selector...) whose length field
    /// has already been read; <paramref name="length"/> counts from <paramref name="startOffset"/>.
    /// </summary>
    public IkeReader ReadSubstructure(int startOffset, int length, int minLength, string what)
    {
        var headerRead = Offset - startOffset;
        if (length < minLength)
        {
            FailAt($"{what} length {length} is shorter than its {minLength}-octet header", startOffset);
        }
        else if (length - headerRead > Remaining)
        {
            FailAt($"{what} length {length} exceeds the {Remaining + headerRead} octets left", startOffset);
        }

        if (Failed)
        {
            return new IkeReader(ReadOnlyMemory<byte>.Empty, Offset, Payload) { _error = _error };
        }

        var bodyOffset = Offset;
        var body = ReadBytes(length - headerRead, what);
        return new IkeReader(body, bodyOffset, Payload);
    }

    /// <summary>Copies a nested reader's failure into this one.</summary>
    public void Absorb(in IkeReader nested)
    {
        if (nested._error is { } e)
        {
            _error ??= e;
        }
    }

    /// <summary>Fails unless every octet was consumed, naming what was left over.</summary>
    public void ExpectEnd(string what)
    {
        if (Remaining > 0)
        {
            Fail($"{Remaining} unexpected octets after {what}");
        }
    }

    private bool Ensure(int count, string field)
    {
        if (_error is not null)
        {
            return false;
        }

        if (_span.Length - _position < count)
        {
            Fail($"{field} needs {count} octets but only {_span.Length - _position} are left");
            return false;
        }

        return true;
    }
}
