using System.Security.Cryptography;
using IkeSharp.Protocol;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace IkeSharp.Crypto;

/// <summary>
/// Curve25519 and Curve448 (RFC 8031) with BouncyCastle's RFC 7748 functions. The span-based X25519 and
/// X448 primitives are used directly, rather than the X25519Agreement wrappers, so the private scalar
/// stays in a <see cref="SecretBuffer"/> that is wiped on dispose instead of in a BouncyCastle key object.
/// </summary>
internal sealed class MontgomeryKeyExchange : KeyExchange
{
    private readonly SecretBuffer _scalar;
    private readonly byte[] _publicValue;

    private MontgomeryKeyExchange(KeyExchangeMethod method, SecretBuffer scalar)
        : base(method)
    {
        _scalar = scalar;
        _publicValue = new byte[scalar.Length];
        if (method == KeyExchangeMethod.CURVE448)
        {
            X448.ScalarMultBase(scalar.Span, _publicValue);
        }
        else
        {
            X25519.ScalarMultBase(scalar.Span, _publicValue);
        }
    }

    public override ReadOnlySpan<byte> PublicValue => _publicValue;

    public static bool Supports(KeyExchangeMethod method) =>
        method is KeyExchangeMethod.CURVE25519 or KeyExchangeMethod.CURVE448;

    public static MontgomeryKeyExchange Generate(KeyExchangeMethod method)
    {
        // RFC 7748 §5: any 32 or 56 random octets are a private key; decodeScalar clamps them inside
        // every scalar multiplication, so the clamped bits need no special treatment here.
        var scalar = new SecretBuffer(SizeOf(method));
        RandomNumberGenerator.Fill(scalar.Span);
        return new MontgomeryKeyExchange(method, scalar);
    }

    public static MontgomeryKeyExchange FromPrivateKey(KeyExchangeMethod method, ReadOnlySpan<byte> scalar)
    {
        if (scalar.Length != SizeOf(method))
        {
            throw new ArgumentException($"A {method} private key is {SizeOf(method)} octets.", nameof(scalar));
        }

        return new MontgomeryKeyExchange(method, SecretBuffer.CopyOf(scalar));
    }

    private protected override SecretBuffer DeriveSharedSecretCore(ReadOnlySpan<byte> peerPublicValue)
    {
        // RFC 8031 §2: the Key Exchange Data is the 32- or 56-octet u-coordinate, nothing else.
        if (peerPublicValue.Length != _publicValue.Length)
        {
            throw new InvalidPeerKeyExchangeException(
                $"A {Method} public value is {_publicValue.Length} octets (RFC 8031 §2); the peer sent {peerPublicValue.Length}.");
        }

        var secret = new SecretBuffer(_publicValue.Length);
        bool nonZero = Method == KeyExchangeMethod.CURVE448
            ? X448.CalculateAgreement(_scalar.Span, peerPublicValue, secret.Span)
            : X25519.CalculateAgreement(_scalar.Span, peerPublicValue, secret.Span);
        if (!nonZero)
        {
            // RFC 8031 §2 (after RFC 7748 §6): an all-zero result means the peer sent a low-order point.
            secret.Dispose();
            throw new InvalidPeerKeyExchangeException($"The {Method} shared secret is all zeros; the peer sent a low-order point (RFC 8031 §2).");
        }

        return secret;
    }

    private protected override void DisposeCore() => _scalar.Dispose();

    private static int SizeOf(KeyExchangeMethod method) =>
        method == KeyExchangeMethod.CURVE448 ? X448.ScalarSize : X25519.ScalarSize;
}
