using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IkeSharp.Crypto.Tests;

public sealed class SecretBufferTests
{
    [Fact]
    public void Dispose_overwrites_the_key_material_with_zeros()
    {
        var buffer = SecretBuffer.CopyOf([1, 2, 3, 4, 5, 6, 7, 8]);

        // A managed reference into the pinned array keeps it alive and readable after Dispose drops it.
        ref byte first = ref MemoryMarshal.GetReference(buffer.Span);
        buffer.Dispose();

        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(0, Unsafe.Add(ref first, i));
        }
    }

    [Fact]
    public void Span_is_unavailable_after_Dispose()
    {
        var buffer = new SecretBuffer(16);
        buffer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => buffer.Span.Length);
    }

    [Fact]
    public void ToString_reveals_the_length_but_not_the_contents()
    {
        using var buffer = SecretBuffer.CopyOf([0xde, 0xad, 0xbe, 0xef]);

        Assert.Equal("SecretBuffer(4 octets)", buffer.ToString());
    }
}
