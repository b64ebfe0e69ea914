using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>AES-GCM through .NET's <see cref="AesGcm"/> (OpenSSL), kept for the key's lifetime so no per-message setup allocates.</summary>
internal sealed class AesGcmCipher(ReadOnlySpan<byte> key, int tagSize) : AeadCipher(tagSize)
{
    private readonly AesGcm _gcm = new(key, tagSize);

    public override void Seal(ReadOnlySpan<byte> nonce, Span<byte> sealedData, ReadOnlySpan<byte> associatedData)
    {
        var text = sealedData[..^TagSize];
        _gcm.Encrypt(nonce, text, text, sealedData[^TagSize..], associatedData);
    }

    public override bool TryOpen(ReadOnlySpan<byte> nonce, Span<byte> sealedData, ReadOnlySpan<byte> associatedData)
    {
        var text = sealedData[..^TagSize];
        try
        {
            // On a tag mismatch .NET zeroes the output before throwing, so no unverified plaintext remains.
            _gcm.Decrypt(nonce, text, sealedData[^TagSize..], text, associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    public override void Dispose() => _gcm.Dispose();
}
