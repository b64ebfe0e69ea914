using System.Security.Cryptography;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto.Tests;

public sealed class IkeKeyDerivationTests
{
    private const ulong SpiI = 0x0123456789abcdef;
    private const ulong SpiR = 0xfedcba9876543210;
    private static readonly byte[] SpiBytes = Convert.FromHexString("0123456789abcdeffedcba9876543210");
    private static readonly byte[] NonceI = Pattern(32, 0x10);
    private static readonly byte[] NonceR = Pattern(24, 0x80);
    private static readonly byte[] SharedSecret = Pattern(256, 0x33);

    private static readonly IkeSaCipherSuite CbcSuite = new(
        EncryptionAlgorithm.ENCR_AES_CBC, 256, IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128, PseudorandomFunction.PRF_HMAC_SHA2_256, KeyExchangeMethod.MODP_2048);

    [Fact]
    public void Ike_sa_keys_are_prf_plus_of_skeyseed_split_in_rfc7296_order()
    {
        using var keys = IkeKeyDerivation.DeriveIkeSaKeys(CbcSuite, SharedSecret, NonceI, NonceR, SpiI, SpiR);

        // RFC 7296 §2.14: SKEYSEED = prf(Ni | Nr, g^ir); keys = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).
        var skeyseed = PlainHmac.Compute(HashAlgorithmName.SHA256, [.. NonceI, .. NonceR], SharedSecret);
        var material = PlainHmac.PrfPlus(HashAlgorithmName.SHA256, skeyseed, [.. NonceI, .. NonceR, .. SpiBytes], 7 * 32);
        Assert.Equal(Split(material, 32, 32, 32, 32, 32, 32, 32), Spans(keys));
    }

    [Fact]
    public void Aes_xcbc_prf_keys_skeyseed_with_only_the_first_64_bits_of_each_nonce()
    {
        var suite = new IkeSaCipherSuite(
            EncryptionAlgorithm.ENCR_AES_CBC, 128, IntegrityAlgorithm.AUTH_AES_XCBC_96, PseudorandomFunction.PRF_AES128_XCBC, KeyExchangeMethod.MODP_2048);

        using var keys = IkeKeyDerivation.DeriveIkeSaKeys(suite, SharedSecret, NonceI, NonceR, SpiI, SpiR);

        var prf = Prf.Create(PseudorandomFunction.PRF_AES128_XCBC);
        var skeyseed = new byte[16];
        prf.Compute([.. NonceI[..8], .. NonceR[..8]], SharedSecret, skeyseed);
        var material = new byte[7 * 16];
        PrfPlus.Expand(prf, skeyseed, [.. NonceI, .. NonceR, .. SpiBytes], material);
        Assert.Equal(Split(material, 16, 16, 16, 16, 16, 16, 16), Spans(keys));
    }

    [Fact]
    public void Aead_suite_has_empty_integrity_keys_and_salted_encryption_keys()
    {
        var suite = CbcSuite with { Encryption = EncryptionAlgorithm.ENCR_AES_GCM_16, Integrity = IntegrityAlgorithm.NONE, Prf = PseudorandomFunction.PRF_HMAC_SHA2_384 };

        using var keys = IkeKeyDerivation.DeriveIkeSaKeys(suite, SharedSecret, NonceI, NonceR, SpiI, SpiR);

        var skeyseed = PlainHmac.Compute(HashAlgorithmName.SHA384, [.. NonceI, .. NonceR], SharedSecret);
        var material = PlainHmac.PrfPlus(HashAlgorithmName.SHA384, skeyseed, [.. NonceI, .. NonceR, .. SpiBytes], (3 * 48) + (2 * 36));
        Assert.Equal(Split(material, 48, 0, 0, 36, 36, 48, 48), Spans(keys));
    }

    [Fact]
    public void Rekeyed_ike_sa_takes_skeyseed_from_the_old_prf_and_expands_with_the_new_one()
    {
        var oldSkD = Pattern(20, 0xd0);

        using var keys = IkeKeyDerivation.DeriveRekeyedIkeSaKeys(
            CbcSuite, PseudorandomFunction.PRF_HMAC_SHA1, oldSkD, SharedSecret, NonceI, NonceR, SpiI, SpiR);

        // RFC 7296 §2.18: SKEYSEED = prf_old(SK_d (old), g^ir (new) | Ni | Nr); prf+ as in §2.14 with the new PRF.
        var skeyseed = PlainHmac.Compute(HashAlgorithmName.SHA1, oldSkD, SharedSecret, NonceI, NonceR);
        var material = PlainHmac.PrfPlus(HashAlgorithmName.SHA256, skeyseed, [.. NonceI, .. NonceR, .. SpiBytes], 7 * 32);
        Assert.Equal(Split(material, 32, 32, 32, 32, 32, 32, 32), Spans(keys));
    }

    [Fact]
    public void Child_sa_keymat_gives_initiator_keys_first_and_encryption_before_integrity()
    {
        var skD = Pattern(32, 0x44);
        var suite = new ChildSaCipherSuite(EncryptionAlgorithm.ENCR_AES_CBC, 128, IntegrityAlgorithm.AUTH_HMAC_SHA1_96);

        using var keys = IkeKeyDerivation.DeriveChildSaKeys(PseudorandomFunction.PRF_HMAC_SHA2_256, skD, suite, NonceI, NonceR);

        // RFC 7296 §2.17: KEYMAT = prf+(SK_d, Ni | Nr).
        var keymat = PlainHmac.PrfPlus(HashAlgorithmName.SHA256, skD, [.. NonceI, .. NonceR], 2 * (16 + 20));
        Assert.Equal(Split(keymat, 16, 20, 16, 20), ChildSpans(keys));
    }

    [Fact]
    public void Child_sa_keymat_with_pfs_puts_the_new_shared_secret_before_the_nonces()
    {
        var skD = Pattern(32, 0x44);
        var pfsSecret = Pattern(32, 0x99);
        var suite = new ChildSaCipherSuite(
            EncryptionAlgorithm.ENCR_AES_GCM_16, 256, IntegrityAlgorithm.NONE, KeyExchangeMethod.CURVE25519, ExtendedSequenceNumbers: true);

        using var keys = IkeKeyDerivation.DeriveChildSaKeys(PseudorandomFunction.PRF_HMAC_SHA2_256, skD, suite, NonceI, NonceR, pfsSecret);

        // RFC 7296 §2.17: KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr); GCM keys carry their 4-octet salt.
        var keymat = PlainHmac.PrfPlus(HashAlgorithmName.SHA256, skD, [.. pfsSecret, .. NonceI, .. NonceR], 2 * 36);
        Assert.Equal(Split(keymat, 36, 0, 36, 0), ChildSpans(keys));
    }

    [Fact]
    public void Pfs_secret_must_be_given_exactly_when_a_key_exchange_was_negotiated()
    {
        var skD = Pattern(32, 0x44);
        var withoutPfs = new ChildSaCipherSuite(EncryptionAlgorithm.ENCR_AES_CBC, 128, IntegrityAlgorithm.AUTH_HMAC_SHA1_96);
        var withPfs = withoutPfs with { KeyExchange = KeyExchangeMethod.ECP_256 };

        Assert.Throws<ArgumentException>(() => IkeKeyDerivation.DeriveChildSaKeys(
            PseudorandomFunction.PRF_HMAC_SHA2_256, skD, withoutPfs, NonceI, NonceR, SharedSecret));
        Assert.Throws<ArgumentException>(() => IkeKeyDerivation.DeriveChildSaKeys(
            PseudorandomFunction.PRF_HMAC_SHA2_256, skD, withPfs, NonceI, NonceR));
    }

    [Theory]
    [InlineData(15)]
    [InlineData(257)]
    public void Nonces_outside_16_to_256_octets_are_rejected(int length)
    {
        Assert.Throws<ArgumentException>(() => IkeKeyDerivation.DeriveIkeSaKeys(CbcSuite, SharedSecret, new byte[length], NonceR, SpiI, SpiR));
    }

    [Fact]
    public void Disposing_the_keys_zeroes_every_one_of_them()
    {
        var keys = IkeKeyDerivation.DeriveIkeSaKeys(CbcSuite, SharedSecret, NonceI, NonceR, SpiI, SpiR);

        keys.Dispose();

        Assert.Throws<ObjectDisposedException>(() => keys.SkPr.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => keys.SkD.Span.Length);
    }

    private static byte[] Pattern(int length, byte start) => Enumerable.Range(0, length).Select(i => (byte)(start + i)).ToArray();

    private static List<string> Split(byte[] material, params int[] lengths)
    {
        var parts = new List<string>();
        int offset = 0;
        foreach (int length in lengths)
        {
            parts.Add(Convert.ToHexStringLower(material, offset, length));
            offset += length;
        }

        Assert.Equal(material.Length, offset);
        return parts;
    }

    private static List<string> Spans(IkeSaKeys keys) =>
        [.. new[] { keys.SkD, keys.SkAi, keys.SkAr, keys.SkEi, keys.SkEr, keys.SkPi, keys.SkPr }.Select(k => Convert.ToHexStringLower(k.Span))];

    private static List<string> ChildSpans(ChildSaKeys keys) =>
        [.. new[]
        {
            keys.EncryptionKeyInitiatorToResponder, keys.IntegrityKeyInitiatorToResponder,
            keys.EncryptionKeyResponderToInitiator, keys.IntegrityKeyResponderToInitiator,
        }.Select(k => Convert.ToHexStringLower(k.Span))];
}
