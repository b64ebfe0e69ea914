using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>
/// Owns one piece of key material (a DH shared secret, SKEYSEED, an SK_* key, KEYMAT) in memory that
/// the GC never moves or copies, and overwrites it with zeros on <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// The array is allocated on the pinned object heap so a compaction cannot leave stale copies of the
/// key behind; zeroing uses <see cref="CryptographicOperations.ZeroMemory"/> so the JIT cannot elide it.
/// </remarks>
public sealed class SecretBuffer : IDisposable
{
    private byte[]? _buffer;

    public SecretBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _buffer = GC.AllocateArray<byte>(length, pinned: true);
        Length = length;
    }

    /// <summary>Copies <paramref name="source"/> into a new buffer; the caller still owns (and should zero) the source.</summary>
    public static SecretBuffer CopyOf(ReadOnlySpan<byte> source)
    {
        var buffer = new SecretBuffer(source.Length);
        source.CopyTo(buffer.Span);
        return buffer;
    }

    public int Length { get; }

    /// <exception cref="ObjectDisposedException">The buffer has been disposed (and zeroed).</exception>
    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_buffer is null, this);
            return _buffer;
        }
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            CryptographicOperations.ZeroMemory(_buffer);
            _buffer = null;
        }
    }

    /// <summary>Describes the buffer by length only; the contents never reach a log.</summary>
    public override string ToString() => $"SecretBuffer({Length} octets)";
}
