using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using IkeSharp.Linux.Interop;

namespace IkeSharp.Linux.Netlink;

/// <summary>
/// Builds one netlink request: the header, a fixed struct, then attributes, each padded to 4
/// octets as <c>NLMSG_ALIGN</c>/<c>NLA_ALIGN</c> require. The length is filled in by <see cref="ToArray"/>.
/// </summary>
internal sealed class NetlinkWriter
{
    private byte[] _buffer = new byte[1024];
    private int _length;

    public NetlinkWriter(ushort type, ushort flags, uint sequence)
    {
        var header = new nlmsghdr { nlmsg_type = type, nlmsg_flags = flags, nlmsg_seq = sequence };
        Write(header);
    }

    /// <summary>Appends a struct as the kernel lays it out (padding octets zero).</summary>
    public void Write<T>(in T value)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value));
        Append(bytes, Unsafe.SizeOf<T>());
    }

    public void Attribute<T>(ushort type, in T value)
        where T : unmanaged
        => Attribute(type, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)), []);

    /// <summary>An attribute whose payload is a struct header (a multiple of 4 octets) followed by variable data (keys, bitmaps).</summary>
    public void Attribute(ushort type, ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail)
    {
        var header = new nlattr { nla_len = (ushort)(Unsafe.SizeOf<nlattr>() + head.Length + tail.Length), nla_type = type };
        Write(header);
        Append(head, head.Length);
        Append(tail, tail.Length);
    }

    /// <summary>The finished message; the writer's own copy is zeroed, since requests can carry keys.</summary>
    public byte[] ToArray()
    {
        BitConverter.TryWriteBytes(_buffer.AsSpan(0, 4), (uint)_length);
        var message = _buffer.AsSpan(0, _length).ToArray();
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_buffer);
        return message;
    }

    private void Append(ReadOnlySpan<byte> bytes, int paddedLength)
    {
        var aligned = netlink.Align(paddedLength);
        if (_length + aligned > _buffer.Length)
        {
            var larger = new byte[Math.Max(_buffer.Length * 2, _length + aligned)];
            _buffer.AsSpan(0, _length).CopyTo(larger);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(_buffer);
            _buffer = larger;
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _buffer.AsSpan(_length + bytes.Length, aligned - bytes.Length).Clear();
        _length += aligned;
    }
}
