using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace IkeSharp.Crypto;

/// <summary>
/// An AEAD from BouncyCastle, for what .NET cannot do: AES-GCM with an 8-octet ICV, and
/// ChaCha20-Poly1305 on platforms whose OpenSSL lacks it.
/// </summary>
/// <remarks>
/// BouncyCastle must be re-initialised with a fresh nonce array per message; that allocation is the
/// primitive's own cost. It also keeps its copy of the key in an array this class cannot zero.
/// </remarks>
internal sealed class BouncyAeadCipher(IAeadCipher cipher, ReadOnlySpan<byte> key, int tagSize) : AeadCipher(tagSize)
{
    private readonly KeyParameter _key = new(key);

    public override void Seal(ReadOnlySpan<byte> nonce, Span<byte> sealedData, ReadOnlySpan<byte> associatedData)
    {
        cipher.Init(forEncryption: true, new AeadParameters(_key, TagSize * 8, nonce.ToArray()));
        cipher.ProcessAadBytes(associatedData);
        int written = cipher.ProcessBytes(sealedData[..^TagSize], sealedData);
        cipher.DoFinal(sealedData[written..]);
    }

    public override bool TryOpen(ReadOnlySpan<byte> nonce, Span<byte> sealedData, ReadOnlySpan<byte> associatedData)
    {
        cipher.Init(forEncryption: false, new AeadParameters(_key, TagSize * 8, nonce.ToArray()));
        cipher.ProcessAadBytes(associatedData);
        int written = cipher.ProcessBytes(sealedData, sealedData);
        try
        {
            cipher.DoFinal(sealedData[written..]);
            return true;
        }
        catch (InvalidCipherTextException)
        {
            // BouncyCastle releases plaintext before it checks the tag; wipe it so nothing unverified remains.
            sealedData[..^TagSize].Clear();
            return false;
        }
    }

    // BouncyCastle holds no native state, and its key copy cannot be wiped (see remarks): nothing to release.
    public override void Dispose()
    {
    }
}
