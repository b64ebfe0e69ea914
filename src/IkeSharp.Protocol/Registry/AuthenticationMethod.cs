namespace IkeSharp.Protocol;

/// <summary>IKEv2 Authentication Method (IANA; RFC 7296 §3.8, RFC 4754, RFC 7427, RFC 7619).</summary>
public enum AuthenticationMethod : byte
{
    RSA_DIGITAL_SIGNATURE = 1,
    SHARED_KEY_MESSAGE_INTEGRITY_CODE = 2,
    DSS_DIGITAL_SIGNATURE = 3,
    ECDSA_SHA_256_P_256 = 9,
    ECDSA_SHA_384_P_384 = 10,
    ECDSA_SHA_512_P_521 = 11,
    GENERIC_SECURE_PASSWORD_AUTHENTICATION_METHOD = 12,
    NULL_AUTHENTICATION = 13,
    DIGITAL_SIGNATURE = 14,
}

/// <summary>IKEv2 Hash Algorithms (IANA; RFC 7427 §4), carried in SIGNATURE_HASH_ALGORITHMS.</summary>
public enum HashAlgorithm : ushort
{
    SHA1 = 1,
    SHA2_256 = 2,
    SHA2_384 = 3,
    SHA2_512 = 4,
    IDENTITY = 5,
}
