using System.Net;
using System.Net.Sockets;
using Tmds.Linux;

namespace IkeSharp.Linux.Userspace;

/// <summary>
/// Raw ESP (IP protocol 50, RFC 4303 without RFC 3948) for Child SAs that are not UDP-encapsulated:
/// one raw socket per local address, bound to it so the kernel picks that source on send and
/// delivers only ESP addressed to it. The kernel builds the outer IP header on send; on receive an
/// IPv4 raw socket returns the IP header (stripped here), an IPv6 one does not. Each socket has a
/// receive thread of its own that hands the ESP packet to the datapath synchronously, as the
/// UDP 4500 socket does for ESP-in-UDP. Kernels without an ESP handler (this build machine's) deliver
/// protocol 50 only to raw sockets; one with ESP sees the packets too and drops them for lack of an SA.
/// </summary>
internal sealed class RawEspSocket : IDisposable
{
    public const ProtocolType Esp = (ProtocolType)50;

    private readonly Socket _socket;
    private readonly Thread _thread;
    private readonly ReceiveAction _received;
    private volatile bool _stopping;

    public delegate void ReceiveAction(Span<byte> espPacket);

    private RawEspSocket(IPAddress local, Socket socket, ReceiveAction received)
    {
        Local = local;
        _socket = socket;
        _received = received;
        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"esp-raw-{local}" };
        _thread.Start();
    }

    public IPAddress Local { get; }

    /// <summary>Opens and binds the socket (needs CAP_NET_RAW) and starts its receive thread.</summary>
    public static RawEspSocket Open(IPAddress local, ReceiveAction received)
    {
        var socket = Create(local.AddressFamily);
        try
        {
            socket.Bind(new IPEndPoint(local, 0));
            Sockets.ReceiveBuffer.Enlarge(socket);
        }
        catch (SocketException)
        {
            socket.Dispose();
            throw;
        }

        return new RawEspSocket(local, socket, received);
    }

    /// <summary>
    /// socket(2) itself: .NET's Socket constructor refuses protocol numbers it has no name for
    /// ("Protocol not supported"), but wraps a descriptor made here with full send/receive support.
    /// </summary>
    private static Socket Create(AddressFamily family)
    {
        var fd = LibC.socket(family == AddressFamily.InterNetworkV6 ? LibC.AF_INET6 : LibC.AF_INET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, (int)Esp);
        if (fd < 0)
        {
            throw new IOException($"socket(SOCK_RAW, IPPROTO_ESP) failed: errno {LibC.errno}");
        }

        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }

    /// <summary>
    /// The destination of raw sends: the port must be 0 (an IPv6 raw socket refuses anything but 0
    /// or its protocol), so the IKE endpoint's port is dropped. Serialized once per SA, not per packet.
    /// </summary>
    public static SocketAddress Destination(IPAddress remote) => new IPEndPoint(remote, 0).Serialize();

    /// <summary>Sends one ESP packet; the kernel prepends the IP header. Errors are counted by the caller.</summary>
    public bool Send(ReadOnlySpan<byte> espPacket, SocketAddress destination)
    {
        try
        {
            _socket.SendTo(espPacket, SocketFlags.None, destination);
            return true;
        }
        catch (SocketException)
        {
            return false; // unreachable or no route: as a lost packet, ESP has no error channel of its own
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>The ESP packet inside what an IPv4 raw socket returns (IP header first, RFC 791 IHL).</summary>
    internal static Span<byte> StripIpv4Header(Span<byte> datagram)
    {
        if (datagram.Length < 20 || datagram[0] >> 4 != 4)
        {
            return [];
        }

        var headerLength = (datagram[0] & 0x0f) * 4;
        return headerLength < 20 || headerLength > datagram.Length ? [] : datagram[headerLength..];
    }

    public void Dispose()
    {
        _stopping = true;
        _socket.Dispose(); // wakes the blocked receive
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(2));
        }
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[65535];
        var v4 = Local.AddressFamily == AddressFamily.InterNetwork;
        while (!_stopping)
        {
            int length;
            try
            {
                length = _socket.Receive(buffer, SocketFlags.None);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (_stopping)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // e.g. an ICMP error queued on the socket; the next packet is unaffected
            }

            var datagram = buffer.AsSpan(0, length);
            _received(v4 ? StripIpv4Header(datagram) : datagram);
        }
    }
}
