using System.Numerics;
using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>
/// AES-CBC over one long-lived cipher context, for ESP's per-packet IVs without a context per packet.
/// <see cref="SymmetricAlgorithm.EncryptCbc(ReadOnlySpan{byte}, ReadOnlySpan{byte}, PaddingMode)"/>
/// builds and frees an OpenSSL context (algorithm fetch, key schedule, allocations) on every call,
/// which costs more than encrypting a 1400-octet packet. A CBC context only remembers its chaining
/// value (the last ciphertext block), so any IV can be had from a running one: encrypting
/// P0 ⊕ IV ⊕ chain makes the context compute E(P0 ⊕ IV); decrypting yields D(C0) ⊕ chain, from which
/// ⊕ chain ⊕ IV gives P0. Not thread-safe: one instance per SA direction, as every ESP transform.
/// </summary>
internal sealed class ChainedCbc : IDisposable
{
    private const int BlockSize = 16;

    private readonly Aes _aes;
    private readonly ICryptoTransform _transform;
    private readonly bool _encrypt;
    private readonly byte[] _chain = new byte[BlockSize];
    private byte[] _buffer = new byte[2048];

    public ChainedCbc(ReadOnlySpan<byte> key, bool encrypt)
    {
        _aes = Aes.Create();
        var copy = key.ToArray();
        try
        {
            _aes.Key = copy;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
        }

        _aes.Mode = CipherMode.CBC;
        _aes.Padding = PaddingMode.None;
        _aes.IV = _chain; // all zero: the chaining value we track from here on
        _encrypt = encrypt;
        _transform = encrypt ? _aes.CreateEncryptor() : _aes.CreateDecryptor();
    }

    /// <summary>Encrypts or decrypts <paramref name="data"/> (whole blocks) in place with <paramref name="iv"/>.</summary>
    public void Transform(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        if (data.Length == 0)
        {
            return;
        }

        if (data.Length > _buffer.Length)
        {
            _buffer = new byte[(int)BitOperations.RoundUpToPowerOf2((uint)data.Length)]; // once, for the largest packet seen
        }

        // ICryptoTransform takes arrays; the copies cost tens of nanoseconds against microseconds saved.
        var buffer = _buffer.AsSpan(0, data.Length);
        data.CopyTo(buffer);
        if (_encrypt)
        {
            Xor(buffer[..BlockSize], iv, _chain);
            _ = _transform.TransformBlock(_buffer, 0, data.Length, _buffer, 0);
            buffer[^BlockSize..].CopyTo(_chain);
        }
        else
        {
            Span<byte> last = stackalloc byte[BlockSize];
            buffer[^BlockSize..].CopyTo(last);
            _ = _transform.TransformBlock(_buffer, 0, data.Length, _buffer, 0);
            Xor(buffer[..BlockSize], iv, _chain);
            last.CopyTo(_chain);
        }

        buffer.CopyTo(data);
    }

    public void Dispose()
    {
        _transform.Dispose();
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_buffer);
    }

    private static void Xor(Span<byte> block, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        for (var i = 0; i < BlockSize; i++)
        {
            block[i] ^= (byte)(a[i] ^ b[i]);
        }
    }
}
