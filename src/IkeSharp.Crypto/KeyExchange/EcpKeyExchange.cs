using System.Security.Cryptography;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>
/// ECDH over the NIST prime curves (RFC 5903) through .NET's OpenSSL-backed <see cref="ECDiffieHellman"/>.
/// </summary>
internal sealed class EcpKeyExchange : KeyExchange
{
    private readonly ECDiffieHellman _key;
    private readonly ECCurve _curve;
    private readonly int _coordinateSize;
    private readonly byte[] _publicValue;

    private EcpKeyExchange(KeyExchangeMethod method, ECDiffieHellman key)
        : base(method)
    {
        (_curve, _coordinateSize) = CurveOf(method);
        _key = key;

        // RFC 5903 §7: the KE payload holds x | y, each zero-padded to the field size, with no
        // point-format octet (unlike SEC1's 0x04 prefix).
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        var (x, y) = (q.X!, q.Y!);
        _publicValue = new byte[2 * _coordinateSize];
        x.CopyTo(_publicValue.AsSpan(_coordinateSize - x.Length));
        y.CopyTo(_publicValue.AsSpan((2 * _coordinateSize) - y.Length));
    }

    public override ReadOnlySpan<byte> PublicValue => _publicValue;

    public static bool Supports(KeyExchangeMethod method) =>
        method is KeyExchangeMethod.ECP_256 or KeyExchangeMethod.ECP_384 or KeyExchangeMethod.ECP_521;

    public static EcpKeyExchange Generate(KeyExchangeMethod method) =>
        new(method, ECDiffieHellman.Create(CurveOf(method).Curve));

    public static EcpKeyExchange FromPrivateKey(KeyExchangeMethod method, ReadOnlySpan<byte> scalar) =>
        new(method, ECDiffieHellman.Create(new ECParameters { Curve = CurveOf(method).Curve, D = scalar.ToArray() }));

    private protected override SecretBuffer DeriveSharedSecretCore(ReadOnlySpan<byte> peerPublicValue)
    {
        if (peerPublicValue.Length != 2 * _coordinateSize)
        {
            throw new InvalidPeerKeyExchangeException(
                $"A {Method} public value is x | y, {2 * _coordinateSize} octets (RFC 5903 §7); the peer sent {peerPublicValue.Length}.");
        }

        var peerParameters = new ECParameters
        {
            Curve = _curve,
            Q = new ECPoint { X = peerPublicValue[.._coordinateSize].ToArray(), Y = peerPublicValue[_coordinateSize..].ToArray() },
        };

        byte[] x;
        try
        {
            // RFC 6989 §2.3: the peer's point must lie on the curve. OpenSSL checks that on import and
            // refuses the point otherwise; the point at infinity has no x | y encoding at all.
            using var peer = ECDiffieHellman.Create(peerParameters);
            using var peerPublicKey = peer.PublicKey;
            x = _key.DeriveRawSecretAgreement(peerPublicKey);
        }
        catch (CryptographicException e)
        {
            throw new InvalidPeerKeyExchangeException($"The peer's {Method} public value is not a valid point on the curve (RFC 6989 §2.3).", e);
        }

        // RFC 5903 §7: the shared secret is the x coordinate alone, at the field size.
        var secret = new SecretBuffer(_coordinateSize);
        x.CopyTo(secret.Span[(_coordinateSize - x.Length)..]);
        CryptographicOperations.ZeroMemory(x);
        return secret;
    }

    private protected override void DisposeCore() => _key.Dispose();

    private static (ECCurve Curve, int CoordinateSize) CurveOf(KeyExchangeMethod method) => method switch
    {
        KeyExchangeMethod.ECP_256 => (ECCurve.NamedCurves.nistP256, 32),
        KeyExchangeMethod.ECP_384 => (ECCurve.NamedCurves.nistP384, 48),
        KeyExchangeMethod.ECP_521 => (ECCurve.NamedCurves.nistP521, 66),
        _ => throw new NotSupportedException($"{method} is not an implemented ECP group."),
    };
}
