using System.Security.Cryptography;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>
/// PRF_AES128_XCBC: AES-XCBC-PRF-128 (RFC 4434), the untruncated AES-XCBC-MAC of RFC 3566 with keys of
/// any length normalised to 128 bits.
/// </summary>
internal sealed class AesXcbcPrf() : Prf(PseudorandomFunction.PRF_AES128_XCBC)
{
    public override int OutputSize => AesXcbcMac.BlockSize;

    public override int PreferredKeySize => AesXcbcMac.KeySize;

    public override bool HasFixedKeySize => true;

    private protected override void ComputeCore(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        Span<byte> normalized = stackalloc byte[AesXcbcMac.KeySize];
        NormalizeKey(key, normalized);
        using var mac = new AesXcbcMac(normalized);
        CryptographicOperations.ZeroMemory(normalized);
        mac.Compute(data, output);
    }

    // RFC 4434 §2: a key shorter than 128 bits is padded on the right with zero bits; a longer one is
    // shortened to AES-XCBC-PRF-128 of itself under a key of 128 zero bits.
    private static void NormalizeKey(ReadOnlySpan<byte> key, Span<byte> normalized)
    {
        normalized.Clear();
        if (key.Length <= AesXcbcMac.KeySize)
        {
            key.CopyTo(normalized);
            return;
        }

        using var reducer = new AesXcbcMac(stackalloc byte[AesXcbcMac.KeySize]);
        reducer.Compute(key, normalized);
    }
}
