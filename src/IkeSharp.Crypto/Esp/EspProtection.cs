using System.Buffers.Binary;

namespace IkeSharp.Crypto;

/*
    RFC 4303 §2, ESP packet (after the outer IP header, and the UDP header when encapsulated):

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |               Security Parameters Index (SPI)                 |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                      Sequence Number                          |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                    IV (8 octets for GCM, 16 for CBC)          |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ~                    Payload Data (the inner IP packet)         ~
    +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |               |     Padding (0-255 bytes)                     |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                               |  Pad Length   | Next Header   |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |         Integrity Check Value-ICV   (variable)                |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
*/

/// <summary>
/// ESP protection of one SA direction (RFC 4303): AES-GCM (RFC 4106) and ChaCha20-Poly1305
/// (RFC 7634) with the sequence number as explicit IV, or AES-CBC (RFC 3602) with HMAC-SHA1/SHA2
/// (RFC 2404, RFC 4868). Seals and opens in the caller's buffer without allocating; not thread-safe
/// (one instance per direction, driven by one thread).
/// </summary>
public abstract class EspProtection : IDisposable
{
    public const int SpiAndSequenceSize = 8;

    private protected EspProtection(int ivSize, int icvSize, int alignment, bool extendedSequenceNumbers)
    {
        IvSize = ivSize;
        IcvSize = icvSize;
        Alignment = alignment;
        ExtendedSequenceNumbers = extendedSequenceNumbers;
    }

    public int IvSize { get; }

    public int IcvSize { get; }

    /// <summary>Payload, padding, pad length and next header together are a multiple of this (§2.4).</summary>
    public int Alignment { get; }

    public bool ExtendedSequenceNumbers { get; }

    public int HeaderSize => SpiAndSequenceSize + IvSize;

    public static EspProtection Create(ChildSaCipherSuite suite, ReadOnlySpan<byte> encryptionKey, ReadOnlySpan<byte> integrityKey)
    {
        var (encryption, integrity) = AlgorithmCatalog.GetCombination(suite.Encryption, suite.KeyLengthBits, suite.Integrity);
        return encryption.IsAead
            ? new AeadEspProtection(encryption, encryptionKey, suite.ExtendedSequenceNumbers)
            : new CbcEspProtection(encryption, encryptionKey, integrity, integrityKey, suite.ExtendedSequenceNumbers);
    }

    /// <summary>Length of the ESP packet that carries <paramref name="payloadLength"/> octets.</summary>
    public int GetPacketLength(int payloadLength)
    {
        var body = payloadLength + 2;
        return HeaderSize + body + ((Alignment - (body % Alignment)) % Alignment) + IcvSize;
    }

    /// <summary>Writes the ESP packet for <paramref name="payload"/> into <paramref name="packet"/> and returns its length.</summary>
    /// <param name="sequence">The 64-bit sequence number; only the low 32 bits go on the wire (§2.2.1).</param>
    /// <param name="nextHeader">4 for an inner IPv4 packet, 41 for IPv6 (tunnel mode).</param>
    public int Seal(uint spi, ulong sequence, ReadOnlySpan<byte> payload, byte nextHeader, Span<byte> packet)
    {
        var length = GetPacketLength(payload.Length);
        if (packet.Length < length)
        {
            throw new ArgumentException($"ESP packet needs {length} octets, buffer has {packet.Length}", nameof(packet));
        }

        BinaryPrimitives.WriteUInt32BigEndian(packet, spi);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], (uint)sequence);
        var plaintext = packet[HeaderSize..(length - IcvSize)];
        payload.CopyTo(plaintext);
        var padding = plaintext.Length - payload.Length - 2;
        for (var i = 0; i < padding; i++)
        {
            plaintext[payload.Length + i] = (byte)(i + 1); // §2.4: the default padding is 1, 2, 3, ...
        }

        plaintext[^2] = (byte)padding;
        plaintext[^1] = nextHeader;
        SealCore(packet[..length], sequence);
        return length;
    }

    /// <summary>
    /// Verifies and decrypts <paramref name="packet"/> in place. <paramref name="sequence"/> is the full
    /// sequence number the replay window inferred (the high half matters only with ESN, §3.4.3).
    /// </summary>
    public bool TryOpen(Span<byte> packet, ulong sequence, out Range payload, out byte nextHeader)
    {
        payload = default;
        nextHeader = 0;
        var ciphertextLength = packet.Length - HeaderSize - IcvSize;
        if (ciphertextLength < 2 || ciphertextLength % Alignment != 0 || !OpenCore(packet, sequence))
        {
            return false;
        }

        var plaintext = packet[HeaderSize..^IcvSize];
        var padding = plaintext[^2];
        if (padding + 2 > plaintext.Length)
        {
            return false;
        }

        nextHeader = plaintext[^1];
        payload = HeaderSize..(HeaderSize + plaintext.Length - padding - 2);
        return true;
    }

    public void Dispose()
    {
        DisposeCore();
        GC.SuppressFinalize(this);
    }

    private protected abstract void SealCore(Span<byte> packet, ulong sequence);

    private protected abstract bool OpenCore(Span<byte> packet, ulong sequence);

    private protected abstract void DisposeCore();

    /// <summary>RFC 4303 §2.2.1: with ESN the high 32 bits are covered by the ICV without being sent.</summary>
    private protected static void WriteSequenceHigh(Span<byte> destination, ulong sequence)
        => BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)(sequence >> 32));
}

/// <summary>AES-GCM / ChaCha20-Poly1305 ESP: nonce = salt | IV, IV = the sequence number, AAD = SPI | [seq high] | seq low.</summary>
internal sealed class AeadEspProtection : EspProtection
{
    private readonly AeadCipher _cipher;
    private readonly SecretBuffer _salt;

    public AeadEspProtection(EncryptionAlgorithmInfo encryption, ReadOnlySpan<byte> keyMaterial, bool esn)
        : base(encryption.IvLength, encryption.IcvLength, 4, esn)
    {
        _cipher = AeadCipher.Create(encryption, keyMaterial[..encryption.KeyLength]);
        _salt = SecretBuffer.CopyOf(keyMaterial[encryption.KeyLength..]);
    }

    private protected override void SealCore(Span<byte> packet, ulong sequence)
    {
        // RFC 4106 §3.1: the IV must be unique per key; the 64-bit sequence number is (RFC 4106 §8.1 suggests it).
        BinaryPrimitives.WriteUInt64BigEndian(packet[SpiAndSequenceSize..], sequence);
        Span<byte> nonce = stackalloc byte[AeadCipher.NonceSize];
        Span<byte> aad = stackalloc byte[12];
        _cipher.Seal(Nonce(packet, nonce), packet[HeaderSize..], Aad(packet, sequence, aad));
    }

    private protected override bool OpenCore(Span<byte> packet, ulong sequence)
    {
        Span<byte> nonce = stackalloc byte[AeadCipher.NonceSize];
        Span<byte> aad = stackalloc byte[12];
        return _cipher.TryOpen(Nonce(packet, nonce), packet[HeaderSize..], Aad(packet, sequence, aad));
    }

    private protected override void DisposeCore()
    {
        _cipher.Dispose();
        _salt.Dispose();
    }

    private Span<byte> Nonce(ReadOnlySpan<byte> packet, Span<byte> nonce)
    {
        _salt.Span.CopyTo(nonce);
        packet.Slice(SpiAndSequenceSize, IvSize).CopyTo(nonce[_salt.Length..]);
        return nonce;
    }

    /// <summary>RFC 4106 §5: SPI | 32-bit sequence, or SPI | high | low with ESN.</summary>
    private ReadOnlySpan<byte> Aad(ReadOnlySpan<byte> packet, ulong sequence, Span<byte> aad)
    {
        packet[..4].CopyTo(aad);
        if (!ExtendedSequenceNumbers)
        {
            packet.Slice(4, 4).CopyTo(aad[4..]);
            return aad[..8];
        }

        WriteSequenceHigh(aad[4..], sequence);
        packet.Slice(4, 4).CopyTo(aad[8..]);
        return aad;
    }
}
