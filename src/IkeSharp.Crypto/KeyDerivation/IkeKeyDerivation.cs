using System.Buffers.Binary;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>
/// SKEYSEED and the IKE SA keys (RFC 7296 §2.14), their rekeyed form (§2.18) and Child SA KEYMAT (§2.17).
/// Nonces are the Nonce Data without payload headers; shared secrets are g^ir as
/// <see cref="KeyExchange.DeriveSharedSecret"/> returns them; SPIs are the 8-octet wire values read big-endian.
/// </summary>
public static class IkeKeyDerivation
{
    // RFC 7296 §3.9: Nonce Data is between 16 and 256 octets.
    private const int MinNonceLength = 16;
    private const int MaxNonceLength = 256;
    private const int SpiLength = 8;

    /// <summary>Derives the keys of a new IKE SA from its IKE_SA_INIT exchange.</summary>
    public static IkeSaKeys DeriveIkeSaKeys(
        IkeSaCipherSuite suite,
        ReadOnlySpan<byte> sharedSecret,
        ReadOnlySpan<byte> nonceI,
        ReadOnlySpan<byte> nonceR,
        ulong spiI,
        ulong spiR)
    {
        var (prf, encryption, integrity) = Resolve(suite);
        ValidateNonces(nonceI, nonceR);

        // RFC 7296 §2.14: SKEYSEED = prf(Ni | Nr, g^ir). For a PRF with a fixed 128-bit key
        // (AES-XCBC-PRF-128) only the first 64 bits of Ni and of Nr form the key.
        int taken = prf.HasFixedKeySize ? prf.PreferredKeySize / 2 : int.MaxValue;
        var ni = nonceI[..Math.Min(taken, nonceI.Length)];
        var nr = nonceR[..Math.Min(taken, nonceR.Length)];
        Span<byte> prfKey = stackalloc byte[ni.Length + nr.Length];
        ni.CopyTo(prfKey);
        nr.CopyTo(prfKey[ni.Length..]);

        using var skeyseed = new SecretBuffer(prf.OutputSize);
        prf.Compute(prfKey, sharedSecret, skeyseed.Span);
        return ExpandIkeSaKeys(prf, encryption, integrity, skeyseed.Span, nonceI, nonceR, spiI, spiR);
    }

    /// <summary>
    /// Derives the keys of an IKE SA created by rekeying another in CREATE_CHILD_SA (RFC 7296 §2.18):
    /// SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) with the old IKE SA's PRF, then prf+ with the new one.
    /// </summary>
    public static IkeSaKeys DeriveRekeyedIkeSaKeys(
        IkeSaCipherSuite suite,
        PseudorandomFunction oldPrf,
        ReadOnlySpan<byte> oldSkD,
        ReadOnlySpan<byte> sharedSecret,
        ReadOnlySpan<byte> nonceI,
        ReadOnlySpan<byte> nonceR,
        ulong spiI,
        ulong spiR)
    {
        var (prf, encryption, integrity) = Resolve(suite);
        ValidateNonces(nonceI, nonceR);
        if (sharedSecret.IsEmpty)
        {
            // §2.18: rekeying the IKE SA always includes a fresh Diffie-Hellman exchange.
            throw new ArgumentException("Rekeying an IKE SA requires the new g^ir (RFC 7296 §2.18).", nameof(sharedSecret));
        }

        var previous = Prf.Create(oldPrf);
        using var data = Concatenate(sharedSecret, nonceI, nonceR);
        using var skeyseed = new SecretBuffer(previous.OutputSize);
        previous.Compute(oldSkD, data.Span, skeyseed.Span);
        return ExpandIkeSaKeys(prf, encryption, integrity, skeyseed.Span, nonceI, nonceR, spiI, spiR);
    }

    /// <summary>
    /// Derives the keys of an ESP Child SA (RFC 7296 §2.17): KEYMAT = prf+(SK_d, Ni | Nr), or with PFS
    /// prf+(SK_d, g^ir (new) | Ni | Nr). <paramref name="pfsSharedSecret"/> must be given exactly when
    /// <paramref name="suite"/> names a key exchange method.
    /// </summary>
    /// <param name="prf">The PRF of the IKE SA that owns <paramref name="skD"/>.</param>
    public static ChildSaKeys DeriveChildSaKeys(
        PseudorandomFunction prf,
        ReadOnlySpan<byte> skD,
        ChildSaCipherSuite suite,
        ReadOnlySpan<byte> nonceI,
        ReadOnlySpan<byte> nonceR,
        ReadOnlySpan<byte> pfsSharedSecret = default)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var (encryption, integrity) = AlgorithmCatalog.GetCombination(suite.Encryption, suite.KeyLengthBits, suite.Integrity);
        ValidateNonces(nonceI, nonceR);
        bool hasPfs = suite.KeyExchange != KeyExchangeMethod.NONE;
        if (hasPfs == pfsSharedSecret.IsEmpty)
        {
            throw new ArgumentException(
                hasPfs
                    ? $"The Child SA negotiated {suite.KeyExchange} but no PFS shared secret was given."
                    : "A PFS shared secret was given but the Child SA negotiated no key exchange method.",
                nameof(pfsSharedSecret));
        }

        using var seed = Concatenate(pfsSharedSecret, nonceI, nonceR);
        using var keymat = new SecretBuffer(2 * (encryption.KeyMaterialLength + integrity.KeyLength));
        PrfPlus.Expand(Prf.Create(prf), skD, seed.Span, keymat.Span);

        // §2.17: all keys for the initiator-to-responder SA come first; within an ESP SA the
        // encryption key (with its salt) precedes the integrity key.
        var reader = new KeyMaterialReader(keymat.Span);
        var encryptionIr = reader.Take(encryption.KeyMaterialLength);
        var integrityIr = reader.Take(integrity.KeyLength);
        var encryptionRi = reader.Take(encryption.KeyMaterialLength);
        var integrityRi = reader.Take(integrity.KeyLength);
        return new ChildSaKeys(encryptionIr, integrityIr, encryptionRi, integrityRi);
    }

    private static (Prf Prf, EncryptionAlgorithmInfo Encryption, IntegrityAlgorithmInfo Integrity) Resolve(IkeSaCipherSuite suite)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var (encryption, integrity) = AlgorithmCatalog.GetCombination(suite.Encryption, suite.KeyLengthBits, suite.Integrity);
        return (Prf.Create(suite.Prf), encryption, integrity);
    }

    // RFC 7296 §2.14: {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr),
    // with SK_d, SK_pi and SK_pr as long as the PRF's preferred key.
    private static IkeSaKeys ExpandIkeSaKeys(
        Prf prf,
        EncryptionAlgorithmInfo encryption,
        IntegrityAlgorithmInfo integrity,
        ReadOnlySpan<byte> skeyseed,
        ReadOnlySpan<byte> nonceI,
        ReadOnlySpan<byte> nonceR,
        ulong spiI,
        ulong spiR)
    {
        Span<byte> seed = stackalloc byte[nonceI.Length + nonceR.Length + (2 * SpiLength)];
        nonceI.CopyTo(seed);
        nonceR.CopyTo(seed[nonceI.Length..]);
        BinaryPrimitives.WriteUInt64BigEndian(seed[^(2 * SpiLength)..], spiI);
        BinaryPrimitives.WriteUInt64BigEndian(seed[^SpiLength..], spiR);

        int prfKeyLength = prf.PreferredKeySize;
        using var material = new SecretBuffer(
            (3 * prfKeyLength) + (2 * integrity.KeyLength) + (2 * encryption.KeyMaterialLength));
        PrfPlus.Expand(prf, skeyseed, seed, material.Span);

        var reader = new KeyMaterialReader(material.Span);
        var skD = reader.Take(prfKeyLength);
        var skAi = reader.Take(integrity.KeyLength);
        var skAr = reader.Take(integrity.KeyLength);
        var skEi = reader.Take(encryption.KeyMaterialLength);
        var skEr = reader.Take(encryption.KeyMaterialLength);
        var skPi = reader.Take(prfKeyLength);
        var skPr = reader.Take(prfKeyLength);
        return new IkeSaKeys(skD, skAi, skAr, skEi, skEr, skPi, skPr);
    }

    private static void ValidateNonces(ReadOnlySpan<byte> nonceI, ReadOnlySpan<byte> nonceR)
    {
        if (nonceI.Length is < MinNonceLength or > MaxNonceLength || nonceR.Length is < MinNonceLength or > MaxNonceLength)
        {
            throw new ArgumentException(
                $"Nonces must be {MinNonceLength} to {MaxNonceLength} octets (RFC 7296 §3.9); got {nonceI.Length} and {nonceR.Length}.");
        }
    }

    private static SecretBuffer Concatenate(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third)
    {
        var buffer = new SecretBuffer(first.Length + second.Length + third.Length);
        first.CopyTo(buffer.Span);
        second.CopyTo(buffer.Span[first.Length..]);
        third.CopyTo(buffer.Span[(first.Length + second.Length)..]);
        return buffer;
    }
}
