using System.Security.Cryptography;
using HashAlgorithm = IkeSharp.Protocol.HashAlgorithm;

namespace IkeSharp.Crypto;

/// <summary>
/// Choosing the hash for DIGITAL_SIGNATURE from the peer's SIGNATURE_HASH_ALGORITHMS notification
/// (RFC 7427 §4): the signer may only use a hash the peer listed.
/// </summary>
public static class SignatureHashNegotiation
{
    /// <summary>The hashes this library signs and verifies with, to announce in SIGNATURE_HASH_ALGORITHMS.</summary>
    public static IReadOnlyList<HashAlgorithm> Supported { get; } = SignatureHash.All.Select(h => h.Id).ToArray();

    /// <summary>
    /// The first hash in <paramref name="localPreference"/> that the peer listed and this library
    /// implements, or null when there is none (the engine then cannot use DIGITAL_SIGNATURE).
    /// </summary>
    public static HashAlgorithm? SelectHash(IEnumerable<HashAlgorithm> peerSupported, IEnumerable<HashAlgorithm> localPreference)
    {
        ArgumentNullException.ThrowIfNull(peerSupported);
        ArgumentNullException.ThrowIfNull(localPreference);
        var peer = peerSupported.ToHashSet();
        foreach (var hash in localPreference)
        {
            if (peer.Contains(hash) && Supported.Contains(hash))
            {
                return hash;
            }
        }

        return null;
    }

    /// <summary>
    /// The scheme to sign with <paramref name="key"/> for this peer, or null when no hash is common.
    /// <paramref name="useRsaPss"/> selects RSASSA-PSS over PKCS#1 v1.5 for RSA keys.
    /// </summary>
    public static SignatureScheme? SelectScheme(
        AsymmetricAlgorithm key,
        IEnumerable<HashAlgorithm> peerSupported,
        IEnumerable<HashAlgorithm> localPreference,
        bool useRsaPss)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keyAlgorithm = key switch
        {
            RSA => SignatureKeyAlgorithm.Rsa,
            ECDsa => SignatureKeyAlgorithm.Ecdsa,
            _ => throw new ArgumentException($"A {key.GetType().Name} key cannot sign IKE AUTH payloads.", nameof(key)),
        };
        return SelectHash(peerSupported, localPreference) is { } hash
            ? SignatureScheme.For(keyAlgorithm, hash, useRsaPss && keyAlgorithm == SignatureKeyAlgorithm.Rsa)
            : null;
    }
}
