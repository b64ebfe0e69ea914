using System.Security.Cryptography;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>A keyed, truncated MAC used as an integrity transform (RFC 7296 §3.3.2, Transform Type 3).</summary>
internal abstract class IntegrityTransform : IDisposable
{
    /// <summary>Largest ICV of any supported transform (AUTH_HMAC_SHA2_512_256).</summary>
    public const int MaxIcvSize = 32;

    private protected IntegrityTransform(int icvSize) => IcvSize = icvSize;

    public int IcvSize { get; }

    public static IntegrityTransform Create(IntegrityAlgorithmInfo integrity, ReadOnlySpan<byte> key) => integrity.Id switch
    {
        IntegrityAlgorithm.AUTH_HMAC_SHA1_96 => new HmacIntegrity(HashAlgorithmName.SHA1, key, integrity.IcvLength),
        IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128 => new HmacIntegrity(HashAlgorithmName.SHA256, key, integrity.IcvLength),
        IntegrityAlgorithm.AUTH_HMAC_SHA2_384_192 => new HmacIntegrity(HashAlgorithmName.SHA384, key, integrity.IcvLength),
        IntegrityAlgorithm.AUTH_HMAC_SHA2_512_256 => new HmacIntegrity(HashAlgorithmName.SHA512, key, integrity.IcvLength),
        IntegrityAlgorithm.AUTH_AES_XCBC_96 => new XcbcIntegrity(key, integrity.IcvLength),
        _ => throw new NotSupportedException($"Integrity algorithm {integrity.Id} is not supported."),
    };

    /// <summary>Writes the truncated MAC of <paramref name="data"/>; <paramref name="icv"/> is exactly <see cref="IcvSize"/> octets.</summary>
    public abstract void Compute(ReadOnlySpan<byte> data, Span<byte> icv);

    public abstract void Dispose();
}
