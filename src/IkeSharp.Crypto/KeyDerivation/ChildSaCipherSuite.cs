using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>
/// The transforms negotiated for an ESP Child SA. <paramref name="KeyExchange"/> is the PFS group of a
/// CREATE_CHILD_SA exchange, or NONE when the Child SA is keyed from SK_d and the nonces alone.
/// </summary>
public sealed record ChildSaCipherSuite(
    EncryptionAlgorithm Encryption,
    int KeyLengthBits,
    IntegrityAlgorithm Integrity,
    KeyExchangeMethod KeyExchange = KeyExchangeMethod.NONE,
    bool ExtendedSequenceNumbers = false);
