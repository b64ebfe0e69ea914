using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>ChaCha20-Poly1305 (RFC 8439) through .NET's OpenSSL-backed <see cref="ChaCha20Poly1305"/>.</summary>
internal sealed class ChaCha20Poly1305Cipher(ReadOnlySpan<byte> key) : AeadCipher(TagLength)
{
    // RFC 8439 §2.8: the Poly1305 tag is always 16 octets.
    private const int TagLength = 16;

    private readonly ChaCha20Poly1305 _aead = new(key);

    public override void Seal(ReadOnlySpan<byte> nonce, Span<byte> sealedData, ReadOnlySpan<byte> associatedData)
    {
        var text = sealedData[..^TagSize];
        _aead.Encrypt(nonce, text, text, sealedData[^TagSize..], associatedData);
    }

    public override bool TryOpen(ReadOnlySpan<byte> nonce, Span<byte> sealedData, ReadOnlySpan<byte> associatedData)
    {
        var text = sealedData[..^TagSize];
        try
        {
            _aead.Decrypt(nonce, text, sealedData[^TagSize..], text, associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    public override void Dispose() => _aead.Dispose();
}
