using System.Text;
using IkeSharp.Protocol;
using Org.BouncyCastle.Crypto.Modes;

namespace IkeSharp.Crypto.Tests;

/// <summary>Known-answer tests on the AEAD primitives SK protection wraps, through the same in-place interface.</summary>
public sealed class AeadPrimitiveTests
{
    private const string Key128 = "feffe9928665731c6d6a8f9467308308";
    private const string Key192 = Key128 + "feffe9928665731c";
    private const string Key256 = Key128 + Key128;
    private const string Iv = "cafebabefacedbaddecaf888";
    private const string Aad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
    private const string Plaintext =
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" +
        "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
    private const string Ciphertext3 =
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e" +
        "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985";
    private const string Ciphertext9 =
        "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c" +
        "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256";
    private const string Ciphertext15 =
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa" +
        "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad";

    // RFC 8439 §2.8.2.
    private const string ChaChaKey = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
    private const string ChaChaNonce = "070000004041424344454647";
    private const string ChaChaAad = "50515253c0c1c2c3c4c5c6c7";
    private static readonly string ChaChaPlaintext = Convert.ToHexString(Encoding.ASCII.GetBytes(
        "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."));
    private const string ChaChaSealed =
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b" +
        "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc" +
        "3ff4def08e4b7a9de576d26586cec64b6116" + "1ae10b594f09e26a7e902ecbd0600691";

    // McGrew and Viega, "The Galois/Counter Mode of Operation", Appendix B test cases with 96-bit IVs
    // (the only IV length IKE uses, RFC 5282 §4): key, plaintext, AAD, IV, ciphertext, full 128-bit tag.
    public static TheoryData<string, string, string, string, string, string> GcmCases() => new()
    {
        // Test case 3
        { Key128, Plaintext, "", Iv, Ciphertext3, "4d5c2af327cd64a62cf35abd2ba6fab4" },
        // Test case 4
        { Key128, Plaintext[..120], Aad, Iv, Ciphertext3[..120], "5bc94fbc3221a5db94fae95ae7121a47" },
        // Test case 7
        { new string('0', 48), "", "", new string('0', 24), "", "cd33b28ac773f74ba00ed1f312572435" },
        // Test case 8
        { new string('0', 48), new string('0', 32), "", new string('0', 24), "98e7247c07f0fe411c267e4384b0f600", "2ff58d80033927ab8ef4d4587514f0fb" },
        // Test case 9
        { Key192, Plaintext, "", Iv, Ciphertext9, "9924a7c8587336bfb118024db8674a14" },
        // Test case 10
        { Key192, Plaintext[..120], Aad, Iv, Ciphertext9[..120], "2519498e80f1478f37ba55bd6d27618c" },
        // Test case 13
        { new string('0', 64), "", "", new string('0', 24), "", "530f8afbc74536b9a963b4f1c4cb738b" },
        // Test case 14
        { new string('0', 64), new string('0', 32), "", new string('0', 24), "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919" },
        // Test case 15
        { Key256, Plaintext, "", Iv, Ciphertext15, "b094dac5d93471bdec1a502270e3cc6c" },
        // Test case 16
        { Key256, Plaintext[..120], Aad, Iv, Ciphertext15[..120], "76fc6ece0f4e1768cddf8853bb2d551b" },
    };

    [Theory]
    [MemberData(nameof(GcmCases))]
    public void Aes_gcm_with_every_ike_icv_length_matches_the_gcm_specification(
        string key, string plaintext, string aad, string iv, string ciphertext, string tag)
    {
        foreach (var (id, icvLength) in new[]
        {
            (EncryptionAlgorithm.ENCR_AES_GCM_8, 8), (EncryptionAlgorithm.ENCR_AES_GCM_12, 12), (EncryptionAlgorithm.ENCR_AES_GCM_16, 16),
        })
        {
            // An ICV shorter than 16 octets is the leftmost octets of the full tag (NIST SP 800-38D §5.2.1.2).
            var info = AlgorithmCatalog.GetEncryption(id, key.Length * 4);
            using var cipher = AeadCipher.Create(info, Convert.FromHexString(key));
            AssertSealsAndOpens(cipher, iv, aad, plaintext, ciphertext + tag[..(2 * icvLength)]);
        }
    }

    [Fact]
    public void Dotnet_chacha20_poly1305_matches_rfc8439_section_2_8_2()
    {
        using var cipher = new ChaCha20Poly1305Cipher(Convert.FromHexString(ChaChaKey));

        AssertSealsAndOpens(cipher, ChaChaNonce, ChaChaAad, ChaChaPlaintext, ChaChaSealed);
    }

    [Fact]
    public void Bouncycastle_chacha20_poly1305_fallback_matches_rfc8439_section_2_8_2()
    {
        using var cipher = new BouncyAeadCipher(new ChaCha20Poly1305(), Convert.FromHexString(ChaChaKey), 16);

        AssertSealsAndOpens(cipher, ChaChaNonce, ChaChaAad, ChaChaPlaintext, ChaChaSealed);
    }

    private static void AssertSealsAndOpens(AeadCipher cipher, string nonce, string aad, string plaintext, string expectedSealed)
    {
        var buffer = new byte[(plaintext.Length / 2) + cipher.TagSize];
        Convert.FromHexString(plaintext).CopyTo(buffer, 0);

        cipher.Seal(Convert.FromHexString(nonce), buffer, Convert.FromHexString(aad));
        Assert.Equal(expectedSealed, Convert.ToHexStringLower(buffer));

        Assert.True(cipher.TryOpen(Convert.FromHexString(nonce), buffer, Convert.FromHexString(aad)));
        Assert.Equal(plaintext, Convert.ToHexStringLower(buffer.AsSpan(0, buffer.Length - cipher.TagSize)), ignoreCase: true);

        buffer[^1] ^= 0x01;
        Assert.False(cipher.TryOpen(Convert.FromHexString(nonce), buffer, Convert.FromHexString(aad)));
    }
}
