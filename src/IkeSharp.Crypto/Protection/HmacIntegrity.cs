using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>AUTH_HMAC_SHA1_96 (RFC 2404) and AUTH_HMAC_SHA2_* (RFC 4868): HMAC truncated to its leftmost octets.</summary>
/// <remarks>
/// One keyed HMAC context is kept and reset after each use, so the key schedule (ipad/opad blocks)
/// is not redone per packet; instances are therefore not thread-safe, like every per-direction transform.
/// </remarks>
internal sealed class HmacIntegrity(HashAlgorithmName hash, ReadOnlySpan<byte> key, int icvSize) : IntegrityTransform(icvSize)
{
    private const int MaxHashSize = 64;

    private readonly IncrementalHash _hmac = IncrementalHash.CreateHMAC(hash, key);

    public override void Compute(ReadOnlySpan<byte> data, Span<byte> icv)
    {
        Span<byte> full = stackalloc byte[MaxHashSize];
        _hmac.AppendData(data);
        var written = _hmac.GetHashAndReset(full);
        full[..IcvSize].CopyTo(icv);
        CryptographicOperations.ZeroMemory(full[..written]);
    }

    public override void Dispose() => _hmac.Dispose();
}
