namespace IkeSharp.Crypto;

/// <summary>AUTH_AES_XCBC_96 (RFC 3566 §4): AES-XCBC-MAC truncated to its leftmost 96 bits.</summary>
internal sealed class XcbcIntegrity(ReadOnlySpan<byte> key, int icvSize) : IntegrityTransform(icvSize)
{
    private readonly AesXcbcMac _mac = new(key);

    public override void Compute(ReadOnlySpan<byte> data, Span<byte> icv)
    {
        Span<byte> full = stackalloc byte[AesXcbcMac.BlockSize];
        _mac.Compute(data, full);
        full[..IcvSize].CopyTo(icv);
    }

    public override void Dispose() => _mac.Dispose();
}
