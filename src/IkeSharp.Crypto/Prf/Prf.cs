using System.Security.Cryptography;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>
/// A negotiated IKEv2 pseudorandom function (RFC 7296 §2.13, Transform Type 2). Instances are stateless
/// and thread-safe: the key is passed to every call because IKE keys a PRF with many different values
/// (nonces, SKEYSEED, SK_d, SK_p, the PSK).
/// </summary>
public abstract class Prf
{
    private static readonly Prf HmacSha1 = new HmacPrf(PseudorandomFunction.PRF_HMAC_SHA1, HashAlgorithmName.SHA1, 20);
    private static readonly Prf HmacSha256 = new HmacPrf(PseudorandomFunction.PRF_HMAC_SHA2_256, HashAlgorithmName.SHA256, 32);
    private static readonly Prf HmacSha384 = new HmacPrf(PseudorandomFunction.PRF_HMAC_SHA2_384, HashAlgorithmName.SHA384, 48);
    private static readonly Prf HmacSha512 = new HmacPrf(PseudorandomFunction.PRF_HMAC_SHA2_512, HashAlgorithmName.SHA512, 64);
    private static readonly Prf Aes128Xcbc = new AesXcbcPrf();

    /// <summary>Largest <see cref="OutputSize"/> of any supported PRF, for sizing stack scratch.</summary>
    internal const int MaxOutputSize = 64;

    private protected Prf(PseudorandomFunction id) => Id = id;

    /// <exception cref="NotSupportedException"><paramref name="id"/> is not implemented.</exception>
    public static Prf Create(PseudorandomFunction id) => id switch
    {
        PseudorandomFunction.PRF_HMAC_SHA1 => HmacSha1,
        PseudorandomFunction.PRF_HMAC_SHA2_256 => HmacSha256,
        PseudorandomFunction.PRF_HMAC_SHA2_384 => HmacSha384,
        PseudorandomFunction.PRF_HMAC_SHA2_512 => HmacSha512,
        PseudorandomFunction.PRF_AES128_XCBC => Aes128Xcbc,
        _ => throw new NotSupportedException($"Pseudorandom function {id} is not supported."),
    };

    public static bool IsSupported(PseudorandomFunction id) => id is PseudorandomFunction.PRF_HMAC_SHA1
        or PseudorandomFunction.PRF_HMAC_SHA2_256 or PseudorandomFunction.PRF_HMAC_SHA2_384
        or PseudorandomFunction.PRF_HMAC_SHA2_512 or PseudorandomFunction.PRF_AES128_XCBC;

    public PseudorandomFunction Id { get; }

    /// <summary>Octets produced by one <see cref="Compute"/> call.</summary>
    public abstract int OutputSize { get; }

    /// <summary>
    /// The PRF's preferred key length, which fixes the lengths of SK_d, SK_pi and SK_pr (RFC 7296 §2.14).
    /// </summary>
    public abstract int PreferredKeySize { get; }

    /// <summary>
    /// True for PRFs keyed with exactly 128 bits (AES-XCBC-PRF-128), for which RFC 7296 §2.14 keys the
    /// SKEYSEED computation with only the first 64 bits of each nonce.
    /// </summary>
    public virtual bool HasFixedKeySize => false;

    /// <summary>Writes prf(key, data) to <paramref name="output"/>, which must be exactly <see cref="OutputSize"/> octets.</summary>
    public void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (output.Length != OutputSize)
        {
            throw new ArgumentException($"{Id} writes exactly {OutputSize} octets; the output span has {output.Length}.", nameof(output));
        }

        ComputeCore(key, data, output);
    }

    private protected abstract void ComputeCore(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output);

    public override string ToString() => Id.ToString();
}
