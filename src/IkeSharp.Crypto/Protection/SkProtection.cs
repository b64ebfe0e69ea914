using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>
/// Protects the Encrypted payload SK (RFC 7296 §3.14) or Encrypted Fragment payload SKF (RFC 7383 §2.5)
/// of IKE messages sent under one key, working in place on the whole datagram so the engine never copies.
/// </summary>
/// <remarks>
/// Layout of <c>message</c> for both <see cref="Seal"/> and <see cref="TryOpen"/>: the IKE header, any
/// other payloads and the SK/SKF header (all length fields final) end at <c>ivOffset</c>; then the IV,
/// the inner payloads, Padding, the Pad Length octet and the ICV, which ends the datagram (the Encrypted
/// payload is always the last one, §3.14). One instance serves one key (SK_ei/SK_ai or SK_er/SK_ar) and
/// is not thread-safe: the engine serializes the messages of an IKE SA.
/// </remarks>
public abstract class SkProtection : IDisposable
{
    private readonly int _alignment;
    private bool _disposed;

    private protected SkProtection(int ivSize, int icvSize, int alignment)
    {
        IvSize = ivSize;
        IcvSize = icvSize;
        _alignment = alignment;
    }

    /// <summary>
    /// Creates the protection for one direction. <paramref name="encryptionKey"/> is SK_e (with the
    /// trailing salt for an AEAD) and <paramref name="integrityKey"/> is SK_a (empty for an AEAD).
    /// </summary>
    /// <exception cref="NotSupportedException">A transform is not implemented.</exception>
    /// <exception cref="ArgumentException">The transforms may not be combined or a key has the wrong length.</exception>
    public static SkProtection Create(
        EncryptionAlgorithm encr,
        int keyLengthBits,
        IntegrityAlgorithm integ,
        ReadOnlySpan<byte> encryptionKey,
        ReadOnlySpan<byte> integrityKey)
    {
        var (encryption, integrity) = AlgorithmCatalog.GetCombination(encr, keyLengthBits, integ);
        if (encryptionKey.Length != encryption.KeyMaterialLength)
        {
            throw new ArgumentException(
                $"{encr} with a {encryption.KeyLengthBits}-bit key needs {encryption.KeyMaterialLength} octets of SK_e; got {encryptionKey.Length}.",
                nameof(encryptionKey));
        }

        if (integrityKey.Length != integrity.KeyLength)
        {
            throw new ArgumentException($"{integ} needs {integrity.KeyLength} octets of SK_a; got {integrityKey.Length}.", nameof(integrityKey));
        }

        return encryption.IsAead
            ? new AeadSkProtection(encryption, encryptionKey)
            : new CbcSkProtection(encryption, encryptionKey, integrity, integrityKey);
    }

    /// <summary>Octets of IV at the start of the Encrypted payload body.</summary>
    public int IvSize { get; }

    /// <summary>Octets of Integrity Checksum Data at the end of the datagram.</summary>
    public int IcvSize { get; }

    /// <summary>
    /// The Encrypted payload body length (IV, inner payloads, Padding, Pad Length, ICV) for
    /// <paramref name="innerPayloadsLength"/> octets of inner payloads; add 4 (or 8 for SKF) for the
    /// payload's Payload Length field.
    /// </summary>
    public int GetBodyLength(int innerPayloadsLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(innerPayloadsLength);
        return IvSize + GetPlaintextLength(innerPayloadsLength) + IcvSize;
    }

    /// <summary>
    /// Writes the IV, Padding and Pad Length, encrypts the inner payloads in place and writes the ICV.
    /// <paramref name="message"/> must be exactly <c>ivOffset + GetBodyLength(innerPayloadsLength)</c> octets.
    /// </summary>
    public void Seal(Span<byte> message, int ivOffset, int innerPayloadsLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(ivOffset);
        int expectedLength = ivOffset + GetBodyLength(innerPayloadsLength);
        if (message.Length != expectedLength)
        {
            throw new ArgumentException(
                $"The datagram must end with the ICV: {expectedLength} octets expected for {innerPayloadsLength} octets of inner payloads at IV offset {ivOffset}, got {message.Length}.",
                nameof(message));
        }

        // RFC 7296 §3.14: Padding may hold any value and makes payloads + Padding + Pad Length a
        // multiple of the block size; the Pad Length octet follows it.
        int plaintextLength = GetPlaintextLength(innerPayloadsLength);
        var trailer = message.Slice(ivOffset + IvSize + innerPayloadsLength, plaintextLength - innerPayloadsLength);
        trailer[..^1].Clear();
        trailer[^1] = (byte)(trailer.Length - 1);
        SealCore(message, ivOffset, plaintextLength);
    }

    /// <summary>
    /// Verifies the ICV and decrypts in place. On success <paramref name="innerPayloads"/> is the range of
    /// <paramref name="message"/> holding the inner payloads, without Padding and Pad Length. Returns false,
    /// never throws, for a datagram that is too short, misaligned, forged or badly padded.
    /// </summary>
    public bool TryOpen(Span<byte> message, int ivOffset, out Range innerPayloads)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        innerPayloads = default;
        if (ivOffset < 0 || ivOffset > message.Length)
        {
            return false;
        }

        int ciphertextLength = message.Length - ivOffset - IvSize - IcvSize;
        if (ciphertextLength < 1 || ciphertextLength % _alignment != 0)
        {
            return false;
        }

        if (!OpenCore(message, ivOffset, ciphertextLength))
        {
            return false;
        }

        // §3.14: the recipient accepts any Pad Length that leaves the padding inside the plaintext.
        int plaintextStart = ivOffset + IvSize;
        int padLength = message[plaintextStart + ciphertextLength - 1];
        if (padLength > ciphertextLength - 1)
        {
            return false;
        }

        innerPayloads = plaintextStart..(plaintextStart + ciphertextLength - 1 - padLength);
        return true;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            DisposeCore();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Writes the IV, encrypts <paramref name="plaintextLength"/> octets after it and writes the ICV.</summary>
    private protected abstract void SealCore(Span<byte> message, int ivOffset, int plaintextLength);

    /// <summary>Verifies the ICV, then decrypts <paramref name="ciphertextLength"/> octets after the IV in place.</summary>
    private protected abstract bool OpenCore(Span<byte> message, int ivOffset, int ciphertextLength);

    private protected abstract void DisposeCore();

    // Inner payloads plus the Pad Length octet, rounded up to the cipher's alignment.
    private int GetPlaintextLength(int innerPayloadsLength) =>
        (innerPayloadsLength + 1 + _alignment - 1) / _alignment * _alignment;
}
