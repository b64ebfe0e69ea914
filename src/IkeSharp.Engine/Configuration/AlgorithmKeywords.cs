using IkeSharp.Protocol;

namespace IkeSharp.Engine.Configuration;

/// <summary>
/// strongSwan's proposal keywords (<c>aes256</c>, <c>sha1</c>, <c>modp2048</c>, <c>aes128gcm16</c>,
/// <c>prfsha256</c>, <c>x25519</c>...) mapped to IKEv2 transforms, and the names strongSwan logs
/// for transforms (<c>AES_CBC_256</c>, <c>HMAC_SHA1_96</c>, <c>PRF_HMAC_SHA2_256</c>, <c>CURVE_25519</c>),
/// so configs and logs read the same as the peer's.
/// </summary>
public static class AlgorithmKeywords
{
    private static readonly Dictionary<string, Transform[]> Keywords = Build();

    public static IEnumerable<string> Known => Keywords.Keys.Order(StringComparer.Ordinal);

    /// <summary>The transforms a keyword stands for (<c>sha256</c> is both an integrity algorithm and a PRF).</summary>
    public static bool TryResolve(string keyword, out Transform[] transforms) => Keywords.TryGetValue(keyword, out transforms!);

    public static string DisplayName(Transform transform) => transform.Type switch
    {
        TransformType.ENCR => (EncryptionAlgorithm)transform.Id switch
        {
            EncryptionAlgorithm.ENCR_AES_CBC => $"AES_CBC_{transform.KeyLength}",
            EncryptionAlgorithm.ENCR_AES_CTR => $"AES_CTR_{transform.KeyLength}",
            EncryptionAlgorithm.ENCR_AES_GCM_8 => $"AES_GCM_8_{transform.KeyLength}",
            EncryptionAlgorithm.ENCR_AES_GCM_12 => $"AES_GCM_12_{transform.KeyLength}",
            EncryptionAlgorithm.ENCR_AES_GCM_16 => $"AES_GCM_16_{transform.KeyLength}",
            EncryptionAlgorithm.ENCR_3DES => "3DES_CBC",
            EncryptionAlgorithm.ENCR_CHACHA20_POLY1305 => "CHACHA20_POLY1305",
            var other => other.ToString().Replace("ENCR_", "") + (transform.KeyLength is { } k ? $"_{k}" : ""),
        },
        TransformType.INTEG => ((IntegrityAlgorithm)transform.Id).ToString().Replace("AUTH_", ""),
        TransformType.PRF => ((PseudorandomFunction)transform.Id).ToString(),
        TransformType.KE => (KeyExchangeMethod)transform.Id switch
        {
            KeyExchangeMethod.CURVE25519 => "CURVE_25519",
            KeyExchangeMethod.CURVE448 => "CURVE_448",
            var other => other.ToString(),
        },
        TransformType.ESN => (ExtendedSequenceNumbers)transform.Id == ExtendedSequenceNumbers.ESN ? "EXT_SEQ" : "NO_EXT_SEQ",
        _ => transform.ToString(),
    };

    private static Dictionary<string, Transform[]> Build()
    {
        var table = new Dictionary<string, Transform[]>(StringComparer.OrdinalIgnoreCase);
        void Add(string name, params Transform[] transforms) => table[name] = transforms;

        foreach (var bits in new ushort[] { 128, 192, 256 })
        {
            Add($"aes{bits}", Transform.Encryption(EncryptionAlgorithm.ENCR_AES_CBC, bits));
            Add($"aes{bits}ctr", Transform.Encryption(EncryptionAlgorithm.ENCR_AES_CTR, bits));
            foreach (var (icv, id) in new[] { (8, EncryptionAlgorithm.ENCR_AES_GCM_8), (12, EncryptionAlgorithm.ENCR_AES_GCM_12), (16, EncryptionAlgorithm.ENCR_AES_GCM_16) })
            {
                Add($"aes{bits}gcm{icv}", Transform.Encryption(id, bits));
            }

            // strongSwan: "aes256gcm" without an ICV length means the 16-octet ICV.
            Add($"aes{bits}gcm", Transform.Encryption(EncryptionAlgorithm.ENCR_AES_GCM_16, bits));
        }

        Add("aes", Transform.Encryption(EncryptionAlgorithm.ENCR_AES_CBC, 128));
        Add("3des", Transform.Encryption(EncryptionAlgorithm.ENCR_3DES));
        Add("chacha20poly1305", Transform.Encryption(EncryptionAlgorithm.ENCR_CHACHA20_POLY1305));

        Add("md5", Transform.Integrity(IntegrityAlgorithm.AUTH_HMAC_MD5_96), Transform.Prf(PseudorandomFunction.PRF_HMAC_MD5));
        Add("sha1", Transform.Integrity(IntegrityAlgorithm.AUTH_HMAC_SHA1_96), Transform.Prf(PseudorandomFunction.PRF_HMAC_SHA1));
        Add("sha", table["sha1"]);
        Add("sha256", Transform.Integrity(IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128), Transform.Prf(PseudorandomFunction.PRF_HMAC_SHA2_256));
        Add("sha2_256", table["sha256"]);
        Add("sha384", Transform.Integrity(IntegrityAlgorithm.AUTH_HMAC_SHA2_384_192), Transform.Prf(PseudorandomFunction.PRF_HMAC_SHA2_384));
        Add("sha2_384", table["sha384"]);
        Add("sha512", Transform.Integrity(IntegrityAlgorithm.AUTH_HMAC_SHA2_512_256), Transform.Prf(PseudorandomFunction.PRF_HMAC_SHA2_512));
        Add("sha2_512", table["sha512"]);
        Add("aesxcbc", Transform.Integrity(IntegrityAlgorithm.AUTH_AES_XCBC_96), Transform.Prf(PseudorandomFunction.PRF_AES128_XCBC));

        Add("prfmd5", Transform.Prf(PseudorandomFunction.PRF_HMAC_MD5));
        Add("prfsha1", Transform.Prf(PseudorandomFunction.PRF_HMAC_SHA1));
        Add("prfsha256", Transform.Prf(PseudorandomFunction.PRF_HMAC_SHA2_256));
        Add("prfsha384", Transform.Prf(PseudorandomFunction.PRF_HMAC_SHA2_384));
        Add("prfsha512", Transform.Prf(PseudorandomFunction.PRF_HMAC_SHA2_512));
        Add("prfaesxcbc", Transform.Prf(PseudorandomFunction.PRF_AES128_XCBC));

        foreach (var (name, group) in new[]
        {
            ("modp768", KeyExchangeMethod.MODP_768), ("modp1024", KeyExchangeMethod.MODP_1024), ("modp1536", KeyExchangeMethod.MODP_1536),
            ("modp2048", KeyExchangeMethod.MODP_2048), ("modp3072", KeyExchangeMethod.MODP_3072), ("modp4096", KeyExchangeMethod.MODP_4096),
            ("modp6144", KeyExchangeMethod.MODP_6144), ("modp8192", KeyExchangeMethod.MODP_8192),
            ("ecp192", KeyExchangeMethod.ECP_192), ("ecp224", KeyExchangeMethod.ECP_224), ("ecp256", KeyExchangeMethod.ECP_256),
            ("ecp384", KeyExchangeMethod.ECP_384), ("ecp521", KeyExchangeMethod.ECP_521),
            ("x25519", KeyExchangeMethod.CURVE25519), ("curve25519", KeyExchangeMethod.CURVE25519),
            ("x448", KeyExchangeMethod.CURVE448), ("curve448", KeyExchangeMethod.CURVE448),
        })
        {
            Add(name, Transform.KeyExchange(group));
        }

        Add("esn", Transform.SequenceNumbers(ExtendedSequenceNumbers.ESN));
        Add("noesn", Transform.SequenceNumbers(ExtendedSequenceNumbers.NO_ESN));
        return table;
    }
}
