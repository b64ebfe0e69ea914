using IkeSharp.Crypto;
using IkeSharp.Protocol;

namespace IkeSharp.Linux.Xfrm;

/// <summary>
/// IKEv2 ESP transforms under the Linux crypto API names XFRM expects (the names strongSwan's
/// kernel-netlink uses). AEAD keys include their salt (RFC 4106 §8.1, RFC 7634 §2).
/// </summary>
internal static class KernelAlgorithms
{
    public static (XfrmAlgorithm? Aead, XfrmAlgorithm? Crypt, XfrmAlgorithm? Auth) For(ChildSaCipherSuite suite, ReadOnlyMemory<byte> encryptionKey, ReadOnlyMemory<byte> integrityKey)
    {
        switch (suite.Encryption)
        {
            case EncryptionAlgorithm.ENCR_AES_GCM_16:
                return (new XfrmAlgorithm("rfc4106(gcm(aes))", encryptionKey, 128), null, null);
            case EncryptionAlgorithm.ENCR_AES_GCM_12:
                return (new XfrmAlgorithm("rfc4106(gcm(aes))", encryptionKey, 96), null, null);
            case EncryptionAlgorithm.ENCR_AES_GCM_8:
                return (new XfrmAlgorithm("rfc4106(gcm(aes))", encryptionKey, 64), null, null);
            case EncryptionAlgorithm.ENCR_CHACHA20_POLY1305:
                return (new XfrmAlgorithm("rfc7539esp(chacha20,poly1305)", encryptionKey, 128), null, null);
            case EncryptionAlgorithm.ENCR_AES_CBC:
                var (name, truncation) = suite.Integrity switch
                {
                    IntegrityAlgorithm.AUTH_HMAC_SHA1_96 => ("hmac(sha1)", 96),
                    IntegrityAlgorithm.AUTH_AES_XCBC_96 => ("xcbc(aes)", 96),
                    IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128 => ("hmac(sha256)", 128),
                    IntegrityAlgorithm.AUTH_HMAC_SHA2_384_192 => ("hmac(sha384)", 192),
                    IntegrityAlgorithm.AUTH_HMAC_SHA2_512_256 => ("hmac(sha512)", 256),
                    _ => throw new NotSupportedException($"no kernel name known for integrity algorithm {suite.Integrity}"),
                };
                return (null, new XfrmAlgorithm("cbc(aes)", encryptionKey), new XfrmAlgorithm(name, integrityKey, truncation));
            default:
                throw new NotSupportedException($"no kernel name known for encryption algorithm {suite.Encryption}");
        }
    }
}
