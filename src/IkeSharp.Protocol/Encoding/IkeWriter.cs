using System.Buffers.Binary;

namespace IkeSharp.Protocol;

/// <summary>
/// Forward writer over a caller's buffer that back-fills the fields only known later: payload
/// and substructure lengths, each payload's Next Payload field, and the header's Length.
/// Throws <see cref="ArgumentException"/> when the buffer is too small (a programming error:
/// IKE messages are bounded by the 64 KiB UDP datagram).
/// </summary>
public ref struct IkeWriter
{
    private readonly Span<byte> _buffer;
    private int _position;
    private int _nextPayloadField = -1;
    private int _messageLengthField = -1;
    private int _encryptedPayloadStart = -1;
    private int _encryptedInnerStart = -1;
    private int _encryptedIvSize;

    public IkeWriter(Span<byte> buffer)
    {
        _buffer = buffer;
    }

    public readonly int Position => _position;

    /// <summary>The octets written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    public void WriteUInt8(byte value) => Take(1)[0] = value;

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Take(4), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Take(8), value);

    public void WriteBytes(scoped ReadOnlySpan<byte> value) => value.CopyTo(Take(value.Length));

    public void WriteZeros(int count) => Take(count).Clear();

    /// <summary>Reserves a 2-octet length field and returns where it is.</summary>
    public int ReserveUInt16()
    {
        var at = _position;
        WriteUInt16(0);
        return at;
    }

    /// <summary>Writes into a reserved length field the octet count from <paramref name="start"/> to here.</summary>
    public readonly void PatchLength16(int field, int start)
    {
        var length = _position - start;
        if (length > ushort.MaxValue)
        {
            throw new ArgumentException($"structure of {length} octets exceeds the 16-bit length field");
        }

        BinaryPrimitives.WriteUInt16BigEndian(_buffer[field..], (ushort)length);
    }

    /// <summary>Patches one octet written earlier (substructure "last" markers).</summary>
    public readonly void PatchUInt8(int at, byte value) => _buffer[at] = value;

    /// <summary>Writes the IKE header; Next Payload and Length are filled in by later calls.</summary>
    public void WriteHeader(in IkeHeader header)
    {
        var start = _position;
        header.WriteTo(Take(IkeHeader.Size));
        _nextPayloadField = start + 16;
        _messageLengthField = start + 24;
        _buffer[_nextPayloadField] = (byte)PayloadType.NONE;
    }

    /// <summary>
    /// Starts a chain of payloads without an IKE header (the plaintext inside SK, or test input);
    /// <see cref="FirstPayloadType"/> tells what the first one was.
    /// </summary>
    public void BeginPayloadChain()
    {
        _nextPayloadField = -1;
    }

    /// <summary>Type of the first payload written after <see cref="BeginPayloadChain"/>.</summary>
    public PayloadType FirstPayloadType { get; private set; }

    /// <summary>Writes one payload: generic header (RFC 7296 §3.2), then its body, then its length.</summary>
    public void WritePayload(Payload payload)
    {
        LinkNext(payload.Type);
        var start = _position;
        _nextPayloadField = start;
        WriteUInt8((byte)PayloadType.NONE);
        WriteUInt8(payload.Critical ? (byte)0x80 : (byte)0);
        var lengthField = ReserveUInt16();
        payload.WriteBody(ref this);
        PatchLength16(lengthField, start);
        if (payload is EncryptedPayload or EncryptedFragmentPayload)
        {
            // An SK/SKF payload copied as received: its Next Payload names the first inner payload.
            _buffer[start] = (byte)(payload is EncryptedPayload sk ? sk.FirstInnerPayload : ((EncryptedFragmentPayload)payload).FirstInnerPayload);
            _nextPayloadField = -1;
        }
    }

    /// <summary>
    /// Starts an Encrypted payload (SK, RFC 7296 §3.14). Payloads written until
    /// <see cref="EndEncryptedPayload"/> form the inner chain; the SK payload's Next Payload names
    /// the first of them. Space for the IV is reserved; the crypto layer fills IV, padding and ICV.
    /// </summary>
    public void BeginEncryptedPayload(int ivSize) => BeginEncrypted(PayloadType.SK, ivSize, 0, 0);

    /// <summary>Starts an Encrypted Fragment payload (SKF, RFC 7383 §2.5).</summary>
    public void BeginEncryptedFragment(int ivSize, ushort fragmentNumber, ushort totalFragments)
        => BeginEncrypted(PayloadType.SKF, ivSize, fragmentNumber, totalFragments);

    /// <summary>Octet offset of the IV in the message (what the crypto layer's Seal takes).</summary>
    public readonly int EncryptedIvOffset => _encryptedInnerStart - _encryptedIvSize;

    /// <summary>Length of the inner payloads written so far inside SK/SKF.</summary>
    public readonly int EncryptedInnerLength => _position - _encryptedInnerStart;

    /// <summary>
    /// Ends the Encrypted payload, reserving <paramref name="trailerLength"/> octets after the inner
    /// payloads for padding, pad length and ICV, and fixes the SK payload length.
    /// </summary>
    public void EndEncryptedPayload(int trailerLength)
    {
        if (_encryptedPayloadStart < 0)
        {
            throw new InvalidOperationException("no Encrypted payload was started");
        }

        WriteZeros(trailerLength);
        PatchLength16(_encryptedPayloadStart + 2, _encryptedPayloadStart);
        _nextPayloadField = -1;
        _encryptedPayloadStart = -1;
    }

    /// <summary>Fills in the header's Length and returns the message length.</summary>
    public readonly int Finish()
    {
        if (_messageLengthField >= 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[_messageLengthField..], (uint)(_position - _messageLengthField + 24));
        }

        return _position;
    }

    private void BeginEncrypted(PayloadType type, int ivSize, ushort fragmentNumber, ushort totalFragments)
    {
        LinkNext(type);
        var start = _position;
        WriteUInt8((byte)PayloadType.NONE);
        WriteUInt8(0);
        WriteUInt16(0);
        if (type == PayloadType.SKF)
        {
            WriteUInt16(fragmentNumber);
            WriteUInt16(totalFragments);
        }

        WriteZeros(ivSize);
        _encryptedPayloadStart = start;
        _encryptedInnerStart = _position;
        _encryptedIvSize = ivSize;
        // The inner chain's first type goes into the SK header's Next Payload field (§3.14).
        _nextPayloadField = start;
    }

    private void LinkNext(PayloadType type)
    {
        if (_nextPayloadField >= 0)
        {
            _buffer[_nextPayloadField] = (byte)type;
        }
        else if (FirstPayloadType == PayloadType.NONE)
        {
            FirstPayloadType = type;
        }
    }

    private Span<byte> Take(int count)
    {
        if (_buffer.Length - _position < count)
        {
            throw new ArgumentException($"buffer of {_buffer.Length} octets too small: needs {_position + count}");
        }

        var span = _buffer.Slice(_position, count);
        _position += count;
        return span;
    }
}
