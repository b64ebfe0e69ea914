using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>
/// How one AUTH method (or one RFC 7427 scheme) signs: key type, hash, padding or signature encoding,
/// and the curve a method fixes. Shared by <see cref="SignatureSigner"/> and <see cref="SignatureVerifier"/>
/// so both sides apply the same rules.
/// </summary>
internal sealed class SignatureOperation
{
    private readonly SignatureKeyAlgorithm _keyAlgorithm;
    private readonly HashAlgorithmName _hash;
    private readonly RSASignaturePadding? _rsaPadding;
    private readonly DSASignatureFormat _ecdsaFormat;
    private readonly int _requiredCurveBits;
    private readonly string _description;

    private SignatureOperation(
        string description,
        SignatureKeyAlgorithm keyAlgorithm,
        HashAlgorithmName hash,
        RSASignaturePadding? rsaPadding = null,
        DSASignatureFormat ecdsaFormat = DSASignatureFormat.IeeeP1363FixedFieldConcatenation,
        int requiredCurveBits = 0)
    {
        _description = description;
        _keyAlgorithm = keyAlgorithm;
        _hash = hash;
        _rsaPadding = rsaPadding;
        _ecdsaFormat = ecdsaFormat;
        _requiredCurveBits = requiredCurveBits;
    }

    /// <summary>The operation of an AUTH method with a fixed algorithm (every signature method but DIGITAL_SIGNATURE).</summary>
    public static bool TryForMethod(AuthenticationMethod method, [NotNullWhen(true)] out SignatureOperation? operation)
    {
        operation = method switch
        {
            // RFC 7296 §3.8: RSASSA-PKCS1-v1_5; the hash is fixed to SHA-1 (RFC 7427 §1), as every
            // implementation, strongSwan included, computes it.
            AuthenticationMethod.RSA_DIGITAL_SIGNATURE =>
                new(method.ToString(), SignatureKeyAlgorithm.Rsa, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1),
            // RFC 4754 §3 and §7: the curve and hash are fixed and the signature is r | s at field size.
            AuthenticationMethod.ECDSA_SHA_256_P_256 =>
                new(method.ToString(), SignatureKeyAlgorithm.Ecdsa, HashAlgorithmName.SHA256, requiredCurveBits: 256),
            AuthenticationMethod.ECDSA_SHA_384_P_384 =>
                new(method.ToString(), SignatureKeyAlgorithm.Ecdsa, HashAlgorithmName.SHA384, requiredCurveBits: 384),
            AuthenticationMethod.ECDSA_SHA_512_P_521 =>
                new(method.ToString(), SignatureKeyAlgorithm.Ecdsa, HashAlgorithmName.SHA512, requiredCurveBits: 521),
            _ => null,
        };
        return operation is not null;
    }

    /// <summary>The operation of a DIGITAL_SIGNATURE scheme; ECDSA signatures are DER ECDSA-Sig-Value there (RFC 7427 §3).</summary>
    public static SignatureOperation ForScheme(SignatureScheme scheme) => scheme.KeyAlgorithm == SignatureKeyAlgorithm.Rsa
        ? new(scheme.Name, SignatureKeyAlgorithm.Rsa, scheme.HashInfo.Name, scheme.IsPss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1)
        : new(scheme.Name, SignatureKeyAlgorithm.Ecdsa, scheme.HashInfo.Name, ecdsaFormat: DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>Null when <paramref name="key"/> suits this operation, else why it does not.</summary>
    public string? CheckKey(AsymmetricAlgorithm key) => (_keyAlgorithm, key) switch
    {
        (SignatureKeyAlgorithm.Rsa, RSA) => null,
        (SignatureKeyAlgorithm.Ecdsa, ECDsa ecdsa) when _requiredCurveBits == 0 || ecdsa.KeySize == _requiredCurveBits => null,
        (SignatureKeyAlgorithm.Ecdsa, ECDsa ecdsa) =>
            $"{_description} needs a P-{_requiredCurveBits} key but the key is on a {ecdsa.KeySize}-bit curve",
        _ => $"{_description} needs an {_keyAlgorithm} key but the key is {key.GetType().Name}",
    };

    public byte[] Sign(AsymmetricAlgorithm key, ReadOnlySpan<byte> data) => (key, _rsaPadding) switch
    {
        (RSA rsa, { } padding) => rsa.SignData(data, _hash, padding),
        (ECDsa ecdsa, null) => ecdsa.SignData(data, _hash, _ecdsaFormat),
        _ => throw new ArgumentException(CheckKey(key), nameof(key)),
    };

    public bool Verify(AsymmetricAlgorithm key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            return (key, _rsaPadding) switch
            {
                (RSA rsa, { } padding) => rsa.VerifyData(data, signature, _hash, padding),
                (ECDsa ecdsa, null) => ecdsa.VerifyData(data, signature, _hash, _ecdsaFormat),
                _ => false,
            };
        }
        catch (CryptographicException)
        {
            // A signature of the wrong size for the key, for example, is a failed verification, not an error.
            return false;
        }
    }
}
