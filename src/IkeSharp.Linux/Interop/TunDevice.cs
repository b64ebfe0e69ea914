using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace IkeSharp.Linux.Interop;

/// <summary>
/// A TUN device (layer 3, no packet information header): each read returns one IP packet the kernel
/// routed to the device, each write injects one as if it arrived on it.
/// </summary>
internal sealed unsafe class TunDevice : IDisposable
{
    private int _fd;

    private TunDevice(int fd, string name)
    {
        _fd = fd;
        Name = name;
    }

    public string Name { get; }

    public static TunDevice Open(string name)
    {
        if (Encoding.ASCII.GetByteCount(name) >= ifreq.IFNAMSIZ)
        {
            throw new ArgumentException($"interface name '{name}' is longer than {ifreq.IFNAMSIZ - 1} characters", nameof(name));
        }

        var path = "/dev/net/tun\0"u8;
        int fd;
        fixed (byte* p = path)
        {
            fd = open(p, O_RDWR | O_CLOEXEC | O_NONBLOCK);
        }

        if (fd < 0)
        {
            throw new IOException($"cannot open /dev/net/tun: errno {errno} (needs CAP_NET_ADMIN and the tun module)");
        }

        var request = default(ifreq);
        var bytes = Encoding.ASCII.GetBytes(name);
        for (var i = 0; i < bytes.Length; i++)
        {
            request.ifr_name[i] = bytes[i];
        }

        request.ifr_flags = if_tun.IFF_TUN | if_tun.IFF_NO_PI;
        if (if_tun.ioctl(fd, if_tun.TUNSETIFF, &request) < 0)
        {
            var error = errno;
            _ = close(fd);
            throw new IOException($"TUNSETIFF {name} failed: errno {error}");
        }

        return new TunDevice(fd, name);
    }

    /// <summary>
    /// Reads one packet; when none is queued, waits up to <paramref name="timeoutMs"/> for one.
    /// Returns 0 when none came. Reading first and polling only when empty saves a system call per
    /// packet under load.
    /// </summary>
    public int Read(Span<byte> buffer, int timeoutMs)
    {
        fixed (byte* p = buffer)
        {
            var n = (long)read(_fd, p, (size_t)buffer.Length);
            if (n > 0)
            {
                return (int)n;
            }

            var poll = new pollfd { fd = _fd, events = POLLIN };
            if (LibC.poll(&poll, 1, timeoutMs) <= 0)
            {
                return 0;
            }

            n = (long)read(_fd, p, (size_t)buffer.Length);
            return n > 0 ? (int)n : 0;
        }
    }

    public void Write(ReadOnlySpan<byte> packet)
    {
        fixed (byte* p = packet)
        {
            _ = write(_fd, p, (size_t)packet.Length);
        }
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = close(fd);
        }
    }
}
