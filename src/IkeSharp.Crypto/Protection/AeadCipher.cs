using IkeSharp.Protocol;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using BouncyChaCha20Poly1305 = Org.BouncyCastle.Crypto.Modes.ChaCha20Poly1305;
using SystemChaCha20Poly1305 = System.Security.Cryptography.ChaCha20Poly1305;

namespace IkeSharp.Crypto;

/// <summary>
/// One AEAD primitive with a 12-octet nonce, sealing in place where the tag directly follows the
/// ciphertext, which is how the Encrypted payload lays them out (RFC 5282 §3).
/// </summary>
internal abstract class AeadCipher : IDisposable
{
    public const int NonceSize = 12;

    private protected AeadCipher(int tagSize) => TagSize = tagSize;

    public int TagSize { get; }

    /// <summary>
    /// Picks the implementation: .NET's OpenSSL-backed types where they support the tag length, BouncyCastle
    /// for AES-GCM with an 8-octet ICV (.NET accepts only 12..16) and for ChaCha20-Poly1305 where OpenSSL lacks it.
    /// </summary>
    public static AeadCipher Create(EncryptionAlgorithmInfo encryption, ReadOnlySpan<byte> key) => encryption.Id switch
    {
        EncryptionAlgorithm.ENCR_AES_GCM_12 or EncryptionAlgorithm.ENCR_AES_GCM_16 => new AesGcmCipher(key, encryption.IcvLength),
        EncryptionAlgorithm.ENCR_AES_GCM_8 => new BouncyAeadCipher(new GcmBlockCipher(new AesEngine()), key, encryption.IcvLength),
        EncryptionAlgorithm.ENCR_CHACHA20_POLY1305 when SystemChaCha20Poly1305.IsSupported => new ChaCha20Poly1305Cipher(key),
        EncryptionAlgorithm.ENCR_CHACHA20_POLY1305 => new BouncyAeadCipher(new BouncyChaCha20Poly1305(), key, encryption.IcvLength),
        _ => throw new NotSupportedException($"{encryption.Id} is not an implemented AEAD."),
    };

    /// <summary>Encrypts <c>sealedData[..^TagSize]</c> in place and writes the tag to <c>sealedData[^TagSize..]</c>.</summary>
    public abstract void Seal(ReadOnlySpan<byte> nonce, Span<byte> sealedData, ReadOnlySpan<byte> associatedData);

    /// <summary>
    /// Verifies the tag at <c>sealedData[^TagSize..]</c> and decrypts the rest in place; false on a forgery,
    /// in which case the ciphertext region holds no usable plaintext.
    /// </summary>
    public abstract bool TryOpen(ReadOnlySpan<byte> nonce, Span<byte> sealedData, ReadOnlySpan<byte> associatedData);

    public abstract void Dispose();
}
