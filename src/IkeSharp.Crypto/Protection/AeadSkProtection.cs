using System.Buffers.Binary;
using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>
/// AES-GCM (RFC 5282) and ChaCha20-Poly1305 (RFC 7634) Encrypted payloads: an 8-octet explicit IV,
/// nonce = salt | IV, associated data = the message from the IKE header through the SK/SKF header
/// (RFC 5282 §5.1, RFC 7383 §2.5), and the tag as the ICV.
/// </summary>
internal sealed class AeadSkProtection : SkProtection
{
    private readonly AeadCipher _cipher;
    private readonly SecretBuffer _salt;
    private ulong _nextIv;

    public AeadSkProtection(EncryptionAlgorithmInfo encryption, ReadOnlySpan<byte> keyMaterial)
        : base(encryption.IvLength, encryption.IcvLength, encryption.BlockSize)
    {
        // RFC 5282 §7.1 and RFC 7634 §2: SK_e is the cipher key followed by the salt.
        _cipher = AeadCipher.Create(encryption, keyMaterial[..encryption.KeyLength]);
        _salt = SecretBuffer.CopyOf(keyMaterial[encryption.KeyLength..]);
    }

    private protected override void SealCore(Span<byte> message, int ivOffset, int plaintextLength)
    {
        // RFC 5282 §3 and RFC 7634 §2: the IV must never repeat under one key. A per-key counter
        // guarantees that where random 64-bit IVs would only make a repeat unlikely.
        if (_nextIv == ulong.MaxValue)
        {
            throw new CryptographicException("The 64-bit IV space of this key is exhausted; the IKE SA must be rekeyed.");
        }

        var iv = message.Slice(ivOffset, IvSize);
        BinaryPrimitives.WriteUInt64BigEndian(iv, _nextIv++);
        Span<byte> nonce = stackalloc byte[AeadCipher.NonceSize];
        BuildNonce(iv, nonce);
        _cipher.Seal(nonce, message[(ivOffset + IvSize)..], message[..ivOffset]);
    }

    private protected override bool OpenCore(Span<byte> message, int ivOffset, int ciphertextLength)
    {
        Span<byte> nonce = stackalloc byte[AeadCipher.NonceSize];
        BuildNonce(message.Slice(ivOffset, IvSize), nonce);
        return _cipher.TryOpen(nonce, message[(ivOffset + IvSize)..], message[..ivOffset]);
    }

    private protected override void DisposeCore()
    {
        _cipher.Dispose();
        _salt.Dispose();
    }

    // RFC 5282 §4 and RFC 7634 §2: the 12-octet nonce is the 4-octet salt followed by the 8-octet IV.
    private void BuildNonce(ReadOnlySpan<byte> iv, Span<byte> nonce)
    {
        _salt.Span.CopyTo(nonce);
        iv.CopyTo(nonce[_salt.Length..]);
    }
}
