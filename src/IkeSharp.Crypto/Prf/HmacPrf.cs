using System.Security.Cryptography;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>
/// PRF_HMAC_SHA1 (RFC 2104) and PRF_HMAC_SHA2_* (RFC 4868 §2.1.2): the full HMAC output, with the
/// preferred key size equal to the output size.
/// </summary>
internal sealed class HmacPrf(PseudorandomFunction id, HashAlgorithmName hash, int outputSize) : Prf(id)
{
    public override int OutputSize => outputSize;

    public override int PreferredKeySize => outputSize;

    // The static one-shot runs HMAC without allocating and keeps no key copy in a managed object.
    private protected override void ComputeCore(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output) =>
        CryptographicOperations.HmacData(hash, key, data, output);
}
