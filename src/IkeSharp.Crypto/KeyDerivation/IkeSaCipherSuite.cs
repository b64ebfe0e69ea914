using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>
/// The transforms negotiated for an IKE SA. <paramref name="KeyLengthBits"/> is the ENCR Key Length
/// attribute (0 when absent, as for ChaCha20-Poly1305); <paramref name="Integrity"/> is NONE for an AEAD.
/// </summary>
public sealed record IkeSaCipherSuite(
    EncryptionAlgorithm Encryption,
    int KeyLengthBits,
    IntegrityAlgorithm Integrity,
    PseudorandomFunction Prf,
    KeyExchangeMethod KeyExchange);
