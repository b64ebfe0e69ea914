using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>Sizes of one integrity transform, in octets.</summary>
/// <param name="KeyLength">Octets of SK_a (or ESP integrity key) the transform is keyed with.</param>
/// <param name="IcvLength">Octets of the truncated MAC carried as the Integrity Checksum Data.</param>
public sealed record IntegrityAlgorithmInfo(IntegrityAlgorithm Id, int KeyLength, int IcvLength);
