namespace IkeSharp.Crypto;

/// <summary>
/// Hands out consecutive slices of prf+ output as separate secret buffers, so each key's owner can
/// dispose it independently while the slicing order stays written down once per RFC rule.
/// </summary>
internal ref struct KeyMaterialReader(ReadOnlySpan<byte> material)
{
    private ReadOnlySpan<byte> _remaining = material;

    public SecretBuffer Take(int length)
    {
        var key = SecretBuffer.CopyOf(_remaining[..length]);
        _remaining = _remaining[length..];
        return key;
    }
}
