using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>
/// AES-XCBC-MAC (RFC 3566 §4) with a 128-bit key, returning the untruncated 128-bit value. Truncation
/// to 96 bits (AUTH_AES_XCBC_96) and key normalisation (AES-XCBC-PRF-128) are the callers' business.
/// </summary>
internal sealed class AesXcbcMac : IDisposable
{
    public const int KeySize = 16;
    public const int BlockSize = 16;

    // Whole blocks are fed to the CBC one-shot in chunks of this size, so a 64 KiB IKE message costs a
    // few hundred native calls rather than one per block, with scratch that still fits on the stack.
    private const int ChunkSize = 512;

    private readonly Aes _k1;
    private readonly SecretBuffer _k2K3;

    public AesXcbcMac(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"AES-XCBC-MAC takes a {KeySize}-octet key (RFC 3566 §4); got {key.Length}.", nameof(key));
        }

        // RFC 3566 §4 step (1): K1, K2 and K3 are the encryptions under K of the constant blocks 0x01.., 0x02.., 0x03...
        Span<byte> derived = stackalloc byte[3 * BlockSize];
        derived[..BlockSize].Fill(0x01);
        derived[BlockSize..(2 * BlockSize)].Fill(0x02);
        derived[(2 * BlockSize)..].Fill(0x03);
        using (var aes = Aes.Create())
        {
            aes.SetKey(key);
            aes.EncryptEcb(derived, derived, PaddingMode.None);
        }

        _k1 = Aes.Create();
        _k1.SetKey(derived[..BlockSize]);
        _k2K3 = SecretBuffer.CopyOf(derived[BlockSize..]);
        CryptographicOperations.ZeroMemory(derived);
    }

    /// <summary>Writes the 128-bit AES-XCBC-MAC of <paramref name="message"/> to <paramref name="mac"/>.</summary>
    public void Compute(ReadOnlySpan<byte> message, Span<byte> mac)
    {
        if (mac.Length != BlockSize)
        {
            throw new ArgumentException($"AES-XCBC-MAC writes {BlockSize} octets.", nameof(mac));
        }

        // Step (2): the last block is the final 1..16 octets; an empty message has an empty last block.
        int lastLength = message.IsEmpty ? 0 : ((message.Length - 1) % BlockSize) + 1;
        var leadingBlocks = message[..^lastLength];

        // Steps (3)-(4): every block before the last is plain CBC under K1 from a zero E[0], so a CBC
        // encryption with a zero IV computes the chain; E[n-1] is the final ciphertext block.
        Span<byte> chain = stackalloc byte[BlockSize];
        chain.Clear();
        Span<byte> scratch = stackalloc byte[ChunkSize];
        while (!leadingBlocks.IsEmpty)
        {
            var chunk = leadingBlocks[..Math.Min(leadingBlocks.Length, ChunkSize)];
            _k1.EncryptCbc(chunk, chain, scratch[..chunk.Length], PaddingMode.None);
            scratch.Slice(chunk.Length - BlockSize, BlockSize).CopyTo(chain);
            leadingBlocks = leadingBlocks[chunk.Length..];
        }

        // Step (5): a complete last block is XORed with K2; a partial one is padded 0x80 00.. and XORed with K3.
        Span<byte> last = stackalloc byte[BlockSize];
        last.Clear();
        message[^lastLength..].CopyTo(last);
        ReadOnlySpan<byte> subkey;
        if (lastLength == BlockSize)
        {
            subkey = _k2K3.Span[..BlockSize];
        }
        else
        {
            last[lastLength] = 0x80;
            subkey = _k2K3.Span[BlockSize..];
        }

        for (int i = 0; i < BlockSize; i++)
        {
            last[i] ^= subkey[i];
        }

        _k1.EncryptCbc(last, chain, mac, PaddingMode.None);
        CryptographicOperations.ZeroMemory(scratch);
        CryptographicOperations.ZeroMemory(last);
        CryptographicOperations.ZeroMemory(chain);
    }

    public void Dispose()
    {
        _k1.Dispose();
        _k2K3.Dispose();
    }
}
