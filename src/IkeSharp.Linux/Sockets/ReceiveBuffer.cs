using System.Net.Sockets;

namespace IkeSharp.Linux.Sockets;

/// <summary>
/// Receive queues for sockets that carry ESP. The default (net.core.rmem_default, about 200 kB, some
/// 90 full-size packets) overflows while the receive thread decrypts a burst of a TCP transfer, and
/// each packet the kernel drops there costs the tunnelled connection a retransmission and a halved
/// window; measured here, a quarter of a single stream's throughput.
/// </summary>
internal static class ReceiveBuffer
{
    public const int EspSize = 4 << 20;

    private const int SolSocket = 1;
    private const int SoRcvBufForce = 33;

    /// <summary>SO_RCVBUFFORCE (CAP_NET_ADMIN, which the daemon has) passes net.core.rmem_max; else SO_RCVBUF up to it.</summary>
    public static void Enlarge(Socket socket, int size = EspSize)
    {
        try
        {
            socket.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(size));
        }
        catch (SocketException)
        {
            socket.ReceiveBufferSize = size;
        }
    }
}
