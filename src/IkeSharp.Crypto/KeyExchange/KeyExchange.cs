using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>
/// One side of an ephemeral key exchange (RFC 7296 §1.2, §2.14): generates a key pair, exposes the
/// public value in KE payload wire format and derives g^ir from the peer's KE payload.
/// </summary>
public abstract class KeyExchange : IDisposable
{
    private bool _disposed;

    private protected KeyExchange(KeyExchangeMethod method) => Method = method;

    /// <summary>Generates a fresh key pair for <paramref name="method"/>.</summary>
    /// <param name="allowLegacyGroups">Opts in to the 1024- and 1536-bit MODP groups 2 and 5.</param>
    /// <exception cref="NotSupportedException">The method is not implemented, or is legacy and not opted in to.</exception>
    public static KeyExchange Create(KeyExchangeMethod method, bool allowLegacyGroups = false)
    {
        if (ModpGroup.TryGet(method, out var group))
        {
            if (group.IsLegacy && !allowLegacyGroups)
            {
                // RFC 8247 §2.4 demotes the 1024- and 1536-bit MODP groups to SHOULD NOT: breakable or nearly so.
                throw new NotSupportedException(
                    $"{method} (group {(int)method}) is a legacy key exchange group (RFC 8247 §2.4); pass allowLegacyGroups: true to use it with old peers.");
            }

            return ModpKeyExchange.Generate(group);
        }

        if (EcpKeyExchange.Supports(method))
        {
            return EcpKeyExchange.Generate(method);
        }

        if (MontgomeryKeyExchange.Supports(method))
        {
            return MontgomeryKeyExchange.Generate(method);
        }

        throw new NotSupportedException($"Key exchange method {method} is not supported.");
    }

    public static bool IsSupported(KeyExchangeMethod method, bool allowLegacyGroups) =>
        ModpGroup.TryGet(method, out var group)
            ? allowLegacyGroups || !group.IsLegacy
            : EcpKeyExchange.Supports(method) || MontgomeryKeyExchange.Supports(method);

    /// <summary>
    /// Builds a key exchange from a known private key, for known-answer tests (RFC 5903 §8, RFC 7748 §6):
    /// a big-endian MODP exponent, a big-endian ECP scalar, or an RFC 7748 X25519/X448 scalar.
    /// </summary>
    internal static KeyExchange CreateWithPrivateKey(KeyExchangeMethod method, ReadOnlySpan<byte> privateKey)
    {
        if (ModpGroup.TryGet(method, out var group))
        {
            return ModpKeyExchange.FromPrivateKey(group, privateKey);
        }

        if (EcpKeyExchange.Supports(method))
        {
            return EcpKeyExchange.FromPrivateKey(method, privateKey);
        }

        return MontgomeryKeyExchange.Supports(method)
            ? MontgomeryKeyExchange.FromPrivateKey(method, privateKey)
            : throw new NotSupportedException($"Key exchange method {method} is not supported.");
    }

    public KeyExchangeMethod Method { get; }

    /// <summary>The Key Exchange Data of this side's KE payload (RFC 7296 §3.4).</summary>
    public abstract ReadOnlySpan<byte> PublicValue { get; }

    /// <summary>Validates the peer's Key Exchange Data and computes g^ir in the form §2.14 feeds to the PRF.</summary>
    /// <exception cref="InvalidPeerKeyExchangeException">The peer's value is malformed or fails validation.</exception>
    public SecretBuffer DeriveSharedSecret(ReadOnlySpan<byte> peerPublicValue)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return DeriveSharedSecretCore(peerPublicValue);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            DisposeCore();
        }

        GC.SuppressFinalize(this);
    }

    public override string ToString() => $"{GetType().Name}({Method})";

    private protected abstract SecretBuffer DeriveSharedSecretCore(ReadOnlySpan<byte> peerPublicValue);

    /// <summary>Releases what the implementation holds; stateless ones inherit this no-op.</summary>
    private protected virtual void DisposeCore()
    {
    }
}
