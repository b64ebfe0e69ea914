using System.Security.Cryptography;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>
/// Produces the Authentication Data of this side's AUTH payload with a private key, for the signature
/// AUTH methods: RSA_DIGITAL_SIGNATURE, the RFC 4754 ECDSA methods and DIGITAL_SIGNATURE (RFC 7427).
/// The signer does not own the key; the caller disposes it.
/// </summary>
public sealed class SignatureSigner
{
    private readonly AsymmetricAlgorithm _privateKey;
    private readonly SignatureOperation _operation;

    /// <param name="scheme">The RFC 7427 scheme; required for DIGITAL_SIGNATURE and not allowed otherwise.</param>
    /// <exception cref="ArgumentException">The key does not suit the method or scheme.</exception>
    /// <exception cref="NotSupportedException">The method is not a supported signature method.</exception>
    public SignatureSigner(AsymmetricAlgorithm privateKey, AuthenticationMethod method, SignatureScheme? scheme = null)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        if (method == AuthenticationMethod.DIGITAL_SIGNATURE)
        {
            _operation = SignatureOperation.ForScheme(
                scheme ?? throw new ArgumentException("DIGITAL_SIGNATURE needs a signature scheme (RFC 7427 §3).", nameof(scheme)));
        }
        else if (scheme is not null)
        {
            throw new ArgumentException($"Only DIGITAL_SIGNATURE carries a signature scheme; {method} fixes its own.", nameof(scheme));
        }
        else if (!SignatureOperation.TryForMethod(method, out _operation!))
        {
            throw new NotSupportedException($"Authentication method {method} is not a supported signature method.");
        }

        if (_operation.CheckKey(privateKey) is { } problem)
        {
            throw new ArgumentException(problem + ".", nameof(privateKey));
        }

        _privateKey = privateKey;
        Method = method;
        Scheme = scheme;
    }

    public AuthenticationMethod Method { get; }

    /// <summary>The RFC 7427 scheme, for DIGITAL_SIGNATURE; null for the other methods.</summary>
    public SignatureScheme? Scheme { get; }

    /// <summary>Signs the octets <see cref="AuthenticationOctets"/> built and returns the AUTH payload's Authentication Data.</summary>
    public byte[] Sign(ReadOnlySpan<byte> octets)
    {
        var signature = _operation.Sign(_privateKey, octets);
        if (Scheme is null)
        {
            return signature;
        }

        // RFC 7427 §3: ASN.1 Length (one octet) | AlgorithmIdentifier | Signature Value.
        var algorithmIdentifier = Scheme.AlgorithmIdentifier;
        var data = new byte[1 + algorithmIdentifier.Length + signature.Length];
        data[0] = (byte)algorithmIdentifier.Length;
        algorithmIdentifier.CopyTo(data.AsSpan(1));
        signature.CopyTo(data.AsSpan(1 + algorithmIdentifier.Length));
        return data;
    }
}
