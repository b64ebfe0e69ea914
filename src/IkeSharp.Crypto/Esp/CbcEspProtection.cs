using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>
/// AES-CBC with a random IV, then a truncated HMAC over SPI through ciphertext (encrypt-then-MAC).
/// One CBC context per instance (<see cref="ChainedCbc"/>), and IVs drawn from a block of random
/// octets filled once per <see cref="IvsPerRefill"/> packets: both were per-packet OpenSSL calls that
/// together cost more than the AES itself.
/// </summary>
internal sealed class CbcEspProtection : EspProtection
{
    private const int IvsPerRefill = 256;

    private readonly SecretBuffer _key;
    private readonly IntegrityTransform _integrity;
    private readonly byte[] _ivs;
    private ChainedCbc? _encryptor;
    private ChainedCbc? _decryptor;
    private int _ivOffset;

    public CbcEspProtection(EncryptionAlgorithmInfo encryption, ReadOnlySpan<byte> key, IntegrityAlgorithmInfo integrity, ReadOnlySpan<byte> integrityKey, bool esn)
        : base(encryption.IvLength, integrity.IcvLength, encryption.BlockSize, esn)
    {
        _key = SecretBuffer.CopyOf(key);
        _integrity = IntegrityTransform.Create(integrity, integrityKey);
        _ivs = new byte[IvSize * IvsPerRefill];
        _ivOffset = _ivs.Length;
    }

    private protected override void SealCore(Span<byte> packet, ulong sequence)
    {
        var iv = packet.Slice(SpiAndSequenceSize, IvSize);
        NextIv(iv); // RFC 3602 §2.3: the IV must be unpredictable
        var plaintext = packet[HeaderSize..^IcvSize];
        (_encryptor ??= new ChainedCbc(_key.Span, encrypt: true)).Transform(iv, plaintext);
        ComputeIcv(packet, sequence, packet[^IcvSize..]);
    }

    private protected override bool OpenCore(Span<byte> packet, ulong sequence)
    {
        Span<byte> expected = stackalloc byte[IntegrityTransform.MaxIcvSize];
        Span<byte> received = stackalloc byte[IntegrityTransform.MaxIcvSize];
        packet[^IcvSize..].CopyTo(received);
        ComputeIcv(packet, sequence, expected[..IcvSize]);
        if (!CryptographicOperations.FixedTimeEquals(expected[..IcvSize], received[..IcvSize]))
        {
            return false;
        }

        var ciphertext = packet[HeaderSize..^IcvSize];
        (_decryptor ??= new ChainedCbc(_key.Span, encrypt: false)).Transform(packet.Slice(SpiAndSequenceSize, IvSize), ciphertext);
        return true;
    }

    private protected override void DisposeCore()
    {
        _encryptor?.Dispose();
        _decryptor?.Dispose();
        _integrity.Dispose();
        _key.Dispose();
    }

    private void NextIv(Span<byte> iv)
    {
        if (_ivOffset == _ivs.Length)
        {
            RandomNumberGenerator.Fill(_ivs);
            _ivOffset = 0;
        }

        _ivs.AsSpan(_ivOffset, IvSize).CopyTo(iv);
        _ivOffset += IvSize;
    }

    /// <summary>ICV over SPI..ciphertext, plus the unsent high sequence half with ESN (written where the ICV will go).</summary>
    private void ComputeIcv(Span<byte> packet, ulong sequence, Span<byte> icv)
    {
        var covered = packet.Length - IcvSize;
        if (ExtendedSequenceNumbers)
        {
            Span<byte> saved = stackalloc byte[4];
            packet.Slice(covered, 4).CopyTo(saved);
            WriteSequenceHigh(packet[covered..], sequence);
            _integrity.Compute(packet[..(covered + 4)], icv);
            if (!icv.Overlaps(packet[covered..]))
            {
                saved.CopyTo(packet[covered..]);
            }

            return;
        }

        _integrity.Compute(packet[..covered], icv);
    }
}
