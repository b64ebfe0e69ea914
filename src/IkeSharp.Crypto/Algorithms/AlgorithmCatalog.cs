using System.Diagnostics.CodeAnalysis;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>
/// The one table of encryption and integrity transforms this library implements, with their sizes.
/// Anything absent here is unsupported everywhere (key derivation, SK protection).
/// </summary>
public static class AlgorithmCatalog
{
    /// <summary>
    /// Looks up an encryption transform. <paramref name="keyLengthBits"/> is the Key Length attribute;
    /// AES requires it (RFC 7296 §3.3.5) while ChaCha20-Poly1305 forbids it (RFC 7634 §2), so for
    /// ChaCha20-Poly1305 0 (attribute absent) and 256 are both accepted.
    /// </summary>
    public static bool TryGetEncryption(
        EncryptionAlgorithm id, int keyLengthBits, [NotNullWhen(true)] out EncryptionAlgorithmInfo? info)
    {
        info = id switch
        {
            // RFC 3602 §2 / RFC 7296 §3.14: 16-octet random IV, plaintext padded to the 16-octet block.
            EncryptionAlgorithm.ENCR_AES_CBC when IsAesKeyLength(keyLengthBits) =>
                new(id, keyLengthBits, SaltLength: 0, IvLength: 16, BlockSize: 16, IcvLength: 0, IsAead: false),
            // RFC 5282 §4 and §7.1: 8-octet explicit IV, 4-octet salt, ICV of 8, 12 or 16 octets.
            EncryptionAlgorithm.ENCR_AES_GCM_8 when IsAesKeyLength(keyLengthBits) => Gcm(id, keyLengthBits, 8),
            EncryptionAlgorithm.ENCR_AES_GCM_12 when IsAesKeyLength(keyLengthBits) => Gcm(id, keyLengthBits, 12),
            EncryptionAlgorithm.ENCR_AES_GCM_16 when IsAesKeyLength(keyLengthBits) => Gcm(id, keyLengthBits, 16),
            // RFC 7634 §2: 256-bit key, 4-octet salt, 8-octet IV, 16-octet tag.
            EncryptionAlgorithm.ENCR_CHACHA20_POLY1305 when keyLengthBits is 0 or 256 =>
                new(id, 256, SaltLength: 4, IvLength: 8, BlockSize: 1, IcvLength: 16, IsAead: true),
            _ => null,
        };
        return info is not null;
    }

    /// <exception cref="NotSupportedException">The transform or key length is not implemented.</exception>
    public static EncryptionAlgorithmInfo GetEncryption(EncryptionAlgorithm id, int keyLengthBits) =>
        TryGetEncryption(id, keyLengthBits, out var info)
            ? info
            : throw new NotSupportedException($"Encryption algorithm {id} with a {keyLengthBits}-bit key is not supported.");

    /// <summary>
    /// Looks up an integrity transform. <see cref="IntegrityAlgorithm.NONE"/> is listed with zero sizes
    /// because it is what an AEAD proposal carries (RFC 5282 §8).
    /// </summary>
    public static bool TryGetIntegrity(IntegrityAlgorithm id, [NotNullWhen(true)] out IntegrityAlgorithmInfo? info)
    {
        info = id switch
        {
            IntegrityAlgorithm.NONE => new(id, KeyLength: 0, IcvLength: 0),
            // RFC 2404 §3: 160-bit key, output truncated to 96 bits.
            IntegrityAlgorithm.AUTH_HMAC_SHA1_96 => new(id, KeyLength: 20, IcvLength: 12),
            // RFC 3566 §4: 128-bit key, output truncated to 96 bits.
            IntegrityAlgorithm.AUTH_AES_XCBC_96 => new(id, KeyLength: 16, IcvLength: 12),
            // RFC 4868 §2.1.1 and §2.6: key as long as the hash output, output truncated to half of it.
            IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128 => new(id, KeyLength: 32, IcvLength: 16),
            IntegrityAlgorithm.AUTH_HMAC_SHA2_384_192 => new(id, KeyLength: 48, IcvLength: 24),
            IntegrityAlgorithm.AUTH_HMAC_SHA2_512_256 => new(id, KeyLength: 64, IcvLength: 32),
            _ => null,
        };
        return info is not null;
    }

    /// <exception cref="NotSupportedException">The transform is not implemented.</exception>
    public static IntegrityAlgorithmInfo GetIntegrity(IntegrityAlgorithm id) =>
        TryGetIntegrity(id, out var info)
            ? info
            : throw new NotSupportedException($"Integrity algorithm {id} is not supported.");

    /// <summary>
    /// Looks up an encryption and an integrity transform that are to be used together and checks that
    /// they may be: an AEAD carries its own integrity so the integrity transform must be NONE
    /// (RFC 5282 §8), while a plain cipher needs one (RFC 7296 §3.3).
    /// </summary>
    /// <exception cref="NotSupportedException">Either transform is not implemented.</exception>
    /// <exception cref="ArgumentException">The combination is not allowed.</exception>
    public static (EncryptionAlgorithmInfo Encryption, IntegrityAlgorithmInfo Integrity) GetCombination(
        EncryptionAlgorithm encryptionId, int keyLengthBits, IntegrityAlgorithm integrityId)
    {
        var encryption = GetEncryption(encryptionId, keyLengthBits);
        var integrity = GetIntegrity(integrityId);
        if (encryption.IsAead && integrity.Id != IntegrityAlgorithm.NONE)
        {
            throw new ArgumentException($"{encryption.Id} is an AEAD; its integrity transform must be NONE, not {integrity.Id} (RFC 5282 §8).");
        }

        if (!encryption.IsAead && integrity.Id == IntegrityAlgorithm.NONE)
        {
            throw new ArgumentException($"{encryption.Id} provides no integrity; an integrity transform is required (RFC 7296 §3.3).");
        }

        return (encryption, integrity);
    }

    private static bool IsAesKeyLength(int keyLengthBits) => keyLengthBits is 128 or 192 or 256;

    private static EncryptionAlgorithmInfo Gcm(EncryptionAlgorithm id, int keyLengthBits, int icvLength) =>
        new(id, keyLengthBits, SaltLength: 4, IvLength: 8, BlockSize: 1, IcvLength: icvLength, IsAead: true);
}
