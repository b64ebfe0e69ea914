using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>The prf+ key expansion of RFC 7296 §2.13.</summary>
public static class PrfPlus
{
    /// <summary>The block counter is a single octet, so prf+ yields at most 255 PRF outputs (RFC 7296 §2.13).</summary>
    public const int MaxBlocks = 255;

    /// <summary>
    /// Fills <paramref name="output"/> with prf+(K, S) = T1 | T2 | ..., where T1 = prf(K, S | 0x01) and
    /// Tn = prf(K, Tn-1 | S | n); the last block is truncated to fit.
    /// </summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxBlocks"/> PRF outputs would be needed.</exception>
    public static void Expand(Prf prf, ReadOnlySpan<byte> key, ReadOnlySpan<byte> seed, Span<byte> output)
    {
        ArgumentNullException.ThrowIfNull(prf);
        int blockSize = prf.OutputSize;
        int blocks = (output.Length + blockSize - 1) / blockSize;
        if (blocks > MaxBlocks)
        {
            throw new ArgumentException(
                $"prf+ with {prf.Id} yields at most {MaxBlocks * blockSize} octets (RFC 7296 §2.13); {output.Length} were requested.",
                nameof(output));
        }

        // The input buffer is laid out as Tn-1 | S | n so each round only rewrites Tn-1 and the counter;
        // T1's input is the same buffer without its leading Tn-1. Both Tn and the buffer are key material.
        using var input = new SecretBuffer(blockSize + seed.Length + 1);
        var inputSpan = input.Span;
        seed.CopyTo(inputSpan[blockSize..]);
        Span<byte> block = stackalloc byte[Prf.MaxOutputSize];
        block = block[..blockSize];
        for (int n = 1; n <= blocks; n++)
        {
            inputSpan[^1] = (byte)n;
            prf.Compute(key, n == 1 ? inputSpan[blockSize..] : inputSpan, block);
            var destination = output[((n - 1) * blockSize)..];
            block[..Math.Min(blockSize, destination.Length)].CopyTo(destination);
            block.CopyTo(inputSpan);
        }

        CryptographicOperations.ZeroMemory(block);
    }
}
