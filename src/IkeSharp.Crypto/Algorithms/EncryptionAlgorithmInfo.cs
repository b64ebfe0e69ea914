using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>
/// Sizes of one encryption transform at one key length, as IKE and ESP key derivation and the
/// Encrypted payload layout need them. All lengths are in octets except <see cref="KeyLengthBits"/>.
/// </summary>
/// <param name="SaltLength">Octets of keying material taken after the cipher key for the implicit nonce part (AEAD only).</param>
/// <param name="IvLength">Octets of explicit IV carried in each Encrypted payload.</param>
/// <param name="BlockSize">Alignment the plaintext plus padding and pad length must reach; 1 for counter-based AEADs.</param>
/// <param name="IcvLength">Octets of authentication tag an AEAD appends; 0 when integrity is a separate transform.</param>
public sealed record EncryptionAlgorithmInfo(
    EncryptionAlgorithm Id,
    int KeyLengthBits,
    int SaltLength,
    int IvLength,
    int BlockSize,
    int IcvLength,
    bool IsAead)
{
    /// <summary>Octets of the cipher key proper.</summary>
    public int KeyLength => KeyLengthBits / 8;

    /// <summary>
    /// Octets taken from prf+ for one direction: the key followed by the salt (RFC 5282 §7.1, RFC 7634 §2).
    /// </summary>
    public int KeyMaterialLength => KeyLength + SaltLength;
}
