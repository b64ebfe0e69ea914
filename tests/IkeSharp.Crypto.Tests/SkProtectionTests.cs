using System.Buffers.Binary;
using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto.Tests;

public sealed class SkProtectionTests
{
    private static readonly IntegrityAlgorithm[] Integrities =
    [
        IntegrityAlgorithm.AUTH_HMAC_SHA1_96, IntegrityAlgorithm.AUTH_AES_XCBC_96, IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128,
        IntegrityAlgorithm.AUTH_HMAC_SHA2_384_192, IntegrityAlgorithm.AUTH_HMAC_SHA2_512_256,
    ];

    private static readonly EncryptionAlgorithm[] Gcms =
        [EncryptionAlgorithm.ENCR_AES_GCM_8, EncryptionAlgorithm.ENCR_AES_GCM_12, EncryptionAlgorithm.ENCR_AES_GCM_16];

    private static readonly int[] AesKeyBits = [128, 192, 256];

    /// <summary>Every supported ENCR/INTEG combination at every key length.</summary>
    private static readonly Suite[] AllSuites =
    [
        .. from bits in AesKeyBits from integ in Integrities select new Suite(EncryptionAlgorithm.ENCR_AES_CBC, bits, integ),
        .. from bits in AesKeyBits from gcm in Gcms select new Suite(gcm, bits, IntegrityAlgorithm.NONE),
        new Suite(EncryptionAlgorithm.ENCR_CHACHA20_POLY1305, 256, IntegrityAlgorithm.NONE),
    ];

    [Property(MaxTest = 500)]
    public Property Seal_then_TryOpen_restores_the_inner_payloads_for_every_suite() => Prop.ForAll(Arb.From(Cases()), c =>
    {
        using var sender = c.Suite.Create(c.Seed);
        using var receiver = c.Suite.Create(c.Seed);
        var (message, inner) = c.Seal(sender);
        var header = message[..c.HeaderLength];

        return receiver.TryOpen(message, c.HeaderLength, out var range)
            && message.AsSpan(range).SequenceEqual(inner)
            && message.AsSpan(0, c.HeaderLength).SequenceEqual(header);
    });

    [Property(MaxTest = 1000)]
    public Property Flipping_any_single_bit_of_the_datagram_makes_TryOpen_fail() =>
        Prop.ForAll(Arb.From(Cases()), Arb.From(Gen.Choose(0, 3)), ArbMap.Default.ArbFor<uint>(), (c, region, bitChoice) =>
        {
            using var sender = c.Suite.Create(c.Seed);
            using var receiver = c.Suite.Create(c.Seed);
            var (message, _) = c.Seal(sender);

            // Pick the region first (header, IV, ciphertext, ICV) so the short IV and ICV are hit as
            // often as the long ciphertext, then any bit inside it.
            int ivEnd = c.HeaderLength + sender.IvSize;
            int icvStart = message.Length - sender.IcvSize;
            var (start, end) = region switch { 0 => (0, c.HeaderLength), 1 => (c.HeaderLength, ivEnd), 2 => (ivEnd, icvStart), _ => (icvStart, message.Length) };
            int bit = (start * 8) + (int)(bitChoice % (uint)((end - start) * 8));
            message[bit / 8] ^= (byte)(1 << (bit % 8));

            return !receiver.TryOpen(message, c.HeaderLength, out _);
        });

    [Theory]
    [InlineData(EncryptionAlgorithm.ENCR_AES_CBC, IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128, 0, 16 + 16 + 16)]
    [InlineData(EncryptionAlgorithm.ENCR_AES_CBC, IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128, 15, 16 + 16 + 16)]
    [InlineData(EncryptionAlgorithm.ENCR_AES_CBC, IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128, 16, 16 + 32 + 16)]
    [InlineData(EncryptionAlgorithm.ENCR_AES_GCM_16, IntegrityAlgorithm.NONE, 10, 8 + 11 + 16)]
    [InlineData(EncryptionAlgorithm.ENCR_AES_GCM_8, IntegrityAlgorithm.NONE, 0, 8 + 1 + 8)]
    public void Body_length_covers_iv_padded_plaintext_pad_length_and_icv(
        EncryptionAlgorithm encr, IntegrityAlgorithm integ, int innerLength, int expected)
    {
        using var protection = new Suite(encr, 128, integ).Create(seed: 1);

        Assert.Equal(expected, protection.GetBodyLength(innerLength));
    }

    [Fact]
    public void Cbc_seal_produces_the_rfc7296_wire_format()
    {
        var suite = new Suite(EncryptionAlgorithm.ENCR_AES_CBC, 128, IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128);
        var (encryptionKey, integrityKey) = suite.Keys(seed: 7);
        using var protection = suite.Create(seed: 7);
        var c = new SkCase(suite, HeaderLength: 32, InnerLength: 21, Seed: 7);
        var (message, inner) = c.Seal(protection);

        // RFC 7296 §3.14: ICV = truncated HMAC over everything before it, then CBC under a random IV.
        var expectedIcv = PlainHmac.Compute(HashAlgorithmName.SHA256, integrityKey, message[..^16])[..16];
        Assert.Equal(expectedIcv, message[^16..]);
        using var aes = Aes.Create();
        aes.Key = encryptionKey;
        var plaintext = aes.DecryptCbc(message[48..^16], message[32..48], PaddingMode.None);
        Assert.Equal(inner, plaintext[..21]);
        Assert.Equal(new byte[10], plaintext[21..31]);
        Assert.Equal(10, plaintext[31]);
    }

    [Fact]
    public void Gcm_seal_produces_the_rfc5282_wire_format()
    {
        var suite = new Suite(EncryptionAlgorithm.ENCR_AES_GCM_16, 256, IntegrityAlgorithm.NONE);
        var (keyMaterial, _) = suite.Keys(seed: 9);
        using var protection = suite.Create(seed: 9);
        var c = new SkCase(suite, HeaderLength: 32, InnerLength: 40, Seed: 9);
        var (message, inner) = c.Seal(protection);

        // RFC 5282 §4-§5: nonce = salt | IV, AAD = header through the SK header, pad length octet 0, tag as ICV.
        using var gcm = new AesGcm(keyMaterial[..32], 16);
        byte[] nonce = [.. keyMaterial[32..], .. message[32..40]];
        var plaintext = new byte[41];
        gcm.Decrypt(nonce, message[40..^16], message[^16..], plaintext, message[..32]);
        Assert.Equal(inner, plaintext[..40]);
        Assert.Equal(0, plaintext[40]);
    }

    [Fact]
    public void Aead_ivs_count_up_from_zero_and_never_repeat_under_one_key()
    {
        var suite = new Suite(EncryptionAlgorithm.ENCR_CHACHA20_POLY1305, 256, IntegrityAlgorithm.NONE);
        using var protection = suite.Create(seed: 3);
        var c = new SkCase(suite, HeaderLength: 28, InnerLength: 5, Seed: 3);

        var ivs = Enumerable.Range(0, 3).Select(_ => BinaryPrimitives.ReadUInt64BigEndian(c.Seal(protection).Message.AsSpan(28, 8))).ToArray();

        Assert.Equal([0UL, 1UL, 2UL], ivs);
    }

    [Fact]
    public void Authentic_message_with_a_pad_length_beyond_the_plaintext_is_rejected()
    {
        var suite = new Suite(EncryptionAlgorithm.ENCR_AES_GCM_16, 128, IntegrityAlgorithm.NONE);
        var (keyMaterial, _) = suite.Keys(seed: 5);
        using var protection = suite.Create(seed: 5);

        // Sealed by hand so the tag is valid while the Pad Length claims 200 octets of a 4-octet plaintext.
        var message = new byte[28 + 8 + 4 + 16];
        byte[] plaintext = [1, 2, 3, 200];
        using var gcm = new AesGcm(keyMaterial[..16], 16);
        gcm.Encrypt([.. keyMaterial[16..], .. message[28..36]], plaintext, message.AsSpan(36, 4), message.AsSpan(40), message.AsSpan(0, 28));

        Assert.False(protection.TryOpen(message, 28, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(36)]
    [InlineData(50)]
    public void Truncated_datagrams_are_rejected_without_throwing(int length)
    {
        using var protection = new Suite(EncryptionAlgorithm.ENCR_AES_CBC, 128, IntegrityAlgorithm.AUTH_HMAC_SHA1_96).Create(seed: 2);

        Assert.False(protection.TryOpen(new byte[length], 28, out _));
        Assert.False(protection.TryOpen(new byte[length], length + 1, out _));
    }

    [Fact]
    public void Seal_refuses_a_datagram_that_does_not_end_with_the_icv()
    {
        using var protection = new Suite(EncryptionAlgorithm.ENCR_AES_GCM_16, 128, IntegrityAlgorithm.NONE).Create(seed: 2);

        Assert.Throws<ArgumentException>(() => protection.Seal(new byte[28 + protection.GetBodyLength(10) + 1], 28, 10));
    }

    [Fact]
    public void Keys_of_the_wrong_length_are_refused()
    {
        Assert.Throws<ArgumentException>(() => SkProtection.Create(
            EncryptionAlgorithm.ENCR_AES_GCM_16, 128, IntegrityAlgorithm.NONE, new byte[16], []));
        Assert.Throws<ArgumentException>(() => SkProtection.Create(
            EncryptionAlgorithm.ENCR_AES_CBC, 128, IntegrityAlgorithm.AUTH_HMAC_SHA1_96, new byte[16], new byte[16]));
    }

    private static Gen<SkCase> Cases() =>
        from suite in Gen.Elements(AllSuites)
        from headerLength in Gen.Choose(28, 64)
        from innerLength in Gen.Frequency((4, Gen.Choose(0, 64)), (1, Gen.Choose(65, 3000)))
        from seed in ArbMap.Default.GeneratorFor<int>()
        select new SkCase(suite, headerLength, innerLength, seed);

    public sealed record Suite(EncryptionAlgorithm Encryption, int KeyLengthBits, IntegrityAlgorithm Integrity)
    {
        public (byte[] Encryption, byte[] Integrity) Keys(int seed)
        {
            var random = new Random(seed);
            var encryption = new byte[AlgorithmCatalog.GetEncryption(Encryption, KeyLengthBits).KeyMaterialLength];
            var integrity = new byte[AlgorithmCatalog.GetIntegrity(Integrity).KeyLength];
            random.NextBytes(encryption);
            random.NextBytes(integrity);
            return (encryption, integrity);
        }

        public SkProtection Create(int seed)
        {
            var (encryption, integrity) = Keys(seed);
            return SkProtection.Create(Encryption, KeyLengthBits, Integrity, encryption, integrity);
        }
    }

    /// <summary>A datagram shape: random header octets (IKE header, other payloads, SK header) and inner payloads.</summary>
    public sealed record SkCase(Suite Suite, int HeaderLength, int InnerLength, int Seed)
    {
        public (byte[] Message, byte[] Inner) Seal(SkProtection protection)
        {
            var random = new Random(Seed);
            var message = new byte[HeaderLength + protection.GetBodyLength(InnerLength)];
            var inner = new byte[InnerLength];
            random.NextBytes(message.AsSpan(0, HeaderLength));
            random.NextBytes(inner);
            inner.CopyTo(message, HeaderLength + protection.IvSize);
            protection.Seal(message, HeaderLength, InnerLength);
            return (message, inner);
        }
    }
}
