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
    private KeyParameter? _unusedKey = new(key);

    public override void Seal(ReadOnlySpan<byte> nonce, Span<byte> sealedData, ReadOnlySpan<byte> associatedData)
    {
        cipher.Init(forEncryption: true, Parameters(nonce));
        cipher.ProcessAadBytes(associatedData);
        int written = cipher.ProcessBytes(sealedData[..^TagSize], sealedData);
        cipher.DoFinal(sealedData[written..]);
    }

    public override bool TryOpen(ReadOnlySpan<byte> nonce, Span<byte> sealedData, ReadOnlySpan<byte> associatedData)
    {
        cipher.Init(forEncryption: false, Parameters(nonce));
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

    // Only the first initialisation passes the key: BouncyCastle then expands it (for GCM, into its
    // multiplication tables) once, and a null key on later calls reuses that work with the new nonce.
    private AeadParameters Parameters(ReadOnlySpan<byte> nonce)
    {
        var parameters = new AeadParameters(_unusedKey, TagSize * 8, nonce.ToArray());
        _unusedKey = null;
        return parameters;
    }

    // BouncyCastle holds no native state, and its key copy cannot be wiped (see remarks): nothing to release.
    public override void Dispose()
    {
    }
}
