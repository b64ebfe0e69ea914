using IkeSharp.Protocol;

namespace IkeSharp.Crypto.Tests;

public sealed class AlgorithmCatalogTests
{
    [Theory]
    [InlineData(EncryptionAlgorithm.ENCR_AES_CBC, 128, 16, 0, 16, 16, 0, false)]
    [InlineData(EncryptionAlgorithm.ENCR_AES_CBC, 256, 32, 0, 16, 16, 0, false)]
    [InlineData(EncryptionAlgorithm.ENCR_AES_GCM_8, 128, 16, 4, 8, 1, 8, true)]
    [InlineData(EncryptionAlgorithm.ENCR_AES_GCM_12, 192, 24, 4, 8, 1, 12, true)]
    [InlineData(EncryptionAlgorithm.ENCR_AES_GCM_16, 256, 32, 4, 8, 1, 16, true)]
    [InlineData(EncryptionAlgorithm.ENCR_CHACHA20_POLY1305, 0, 32, 4, 8, 1, 16, true)]
    [InlineData(EncryptionAlgorithm.ENCR_CHACHA20_POLY1305, 256, 32, 4, 8, 1, 16, true)]
    public void Encryption_sizes_follow_their_rfcs(
        EncryptionAlgorithm id, int keyBits, int keyLength, int salt, int iv, int block, int icv, bool aead)
    {
        var info = AlgorithmCatalog.GetEncryption(id, keyBits);

        Assert.Equal((keyLength, salt, iv, block, icv, aead), (info.KeyLength, info.SaltLength, info.IvLength, info.BlockSize, info.IcvLength, info.IsAead));
        Assert.Equal(keyLength + salt, info.KeyMaterialLength);
    }

    [Theory]
    [InlineData(IntegrityAlgorithm.AUTH_HMAC_SHA1_96, 20, 12)]
    [InlineData(IntegrityAlgorithm.AUTH_AES_XCBC_96, 16, 12)]
    [InlineData(IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128, 32, 16)]
    [InlineData(IntegrityAlgorithm.AUTH_HMAC_SHA2_384_192, 48, 24)]
    [InlineData(IntegrityAlgorithm.AUTH_HMAC_SHA2_512_256, 64, 32)]
    public void Integrity_sizes_follow_their_rfcs(IntegrityAlgorithm id, int keyLength, int icvLength)
    {
        var info = AlgorithmCatalog.GetIntegrity(id);

        Assert.Equal((keyLength, icvLength), (info.KeyLength, info.IcvLength));
    }

    [Theory]
    [InlineData(EncryptionAlgorithm.ENCR_AES_CBC, 0)]
    [InlineData(EncryptionAlgorithm.ENCR_AES_CBC, 512)]
    [InlineData(EncryptionAlgorithm.ENCR_CHACHA20_POLY1305, 128)]
    [InlineData(EncryptionAlgorithm.ENCR_3DES, 192)]
    public void Unsupported_transforms_and_key_lengths_are_absent(EncryptionAlgorithm id, int keyBits)
    {
        Assert.False(AlgorithmCatalog.TryGetEncryption(id, keyBits, out _));
        var e = Assert.Throws<NotSupportedException>(() => AlgorithmCatalog.GetEncryption(id, keyBits));
        Assert.Contains(id.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aead_with_an_integrity_transform_is_not_a_valid_combination()
    {
        Assert.Throws<ArgumentException>(() => AlgorithmCatalog.GetCombination(
            EncryptionAlgorithm.ENCR_AES_GCM_16, 128, IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128));
    }

    [Fact]
    public void Cbc_without_an_integrity_transform_is_not_a_valid_combination()
    {
        Assert.Throws<ArgumentException>(() => AlgorithmCatalog.GetCombination(
            EncryptionAlgorithm.ENCR_AES_CBC, 128, IntegrityAlgorithm.NONE));
    }
}
