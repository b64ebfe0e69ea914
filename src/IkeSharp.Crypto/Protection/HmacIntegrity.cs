using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>AUTH_HMAC_SHA1_96 (RFC 2404) and AUTH_HMAC_SHA2_* (RFC 4868): HMAC truncated to its leftmost octets.</summary>
internal sealed class HmacIntegrity(HashAlgorithmName hash, ReadOnlySpan<byte> key, int icvSize) : IntegrityTransform(icvSize)
{
    private const int MaxHashSize = 64;

    private readonly SecretBuffer _key = SecretBuffer.CopyOf(key);

    public override void Compute(ReadOnlySpan<byte> data, Span<byte> icv)
    {
        Span<byte> full = stackalloc byte[MaxHashSize];
        int written = CryptographicOperations.HmacData(hash, _key.Span, data, full);
        full[..IcvSize].CopyTo(icv);
        CryptographicOperations.ZeroMemory(full[..written]);
    }

    public override void Dispose() => _key.Dispose();
}
