using System.Net;
using System.Net.Sockets;
using IkeSharp.Linux.Netlink;
using IkeSharp.Linux.Userspace;
using IkeSharp.Protocol;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Linux.Sockets;

/// <summary>
/// The IKE sockets: UDP 500 and 4500 on every listening address (IPv4 and IPv6). Each received
/// datagram is copied and handed to <see cref="Received"/> on the socket's receive thread, which
/// must return quickly (the engine only finds the tunnel and queues it there); sends pick the
/// socket bound to the effect's local endpoint.
/// </summary>
public sealed partial class UdpTransport(ILogger<UdpTransport> logger) : IEspTransport, IDisposable
{
    private readonly Dictionary<IPEndPoint, Socket> _sockets = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Thread> _threads = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<IPEndPoint, SocketAddress> _addresses = new();

    /// <summary>Called for each datagram on the receive thread: local endpoint, remote endpoint, UDP payload (owned by the callee).</summary>
    public Action<IPEndPoint, IPEndPoint, ReadOnlyMemory<byte>>? Received { get; set; }

    /// <summary>ESP-in-UDP arriving on 4500, handed over on the receive thread itself (the user-space datapath's inbound path).</summary>
    public SpanAction? EspReceived { get; set; }

    public delegate void SpanAction(Span<byte> packet);

    public IReadOnlyCollection<IPEndPoint> Endpoints => _sockets.Keys;

    /// <summary>Called for each socket once bound, before it receives (the kernel datapath sets its bypass and ESP-in-UDP options here).</summary>
    public Action<Socket, IPEndPoint>? PrepareSocket { get; set; }

    public void Bind(IEnumerable<IPAddress> addresses)
    {
        foreach (var address in addresses)
        {
            foreach (var port in new[] { UdpEncapsulation.IkePort, UdpEncapsulation.NatTraversalPort })
            {
                var endpoint = new IPEndPoint(address, port);
                var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    if (address.AddressFamily == AddressFamily.InterNetworkV6)
                    {
                        socket.DualMode = false;
                    }

                    socket.Bind(endpoint);
                    if (port == UdpEncapsulation.NatTraversalPort)
                    {
                        ReceiveBuffer.Enlarge(socket); // ESP in UDP arrives here for the user-space datapath
                    }

                    PrepareSocket?.Invoke(socket, endpoint);
                }
                catch (Exception e) when (e is SocketException or NetlinkException)
                {
                    socket.Dispose();
                    throw new InvalidOperationException($"cannot bind UDP {endpoint}: {e.Message} (another IKE daemon running, or the address is not configured on this host?)", e);
                }

                _sockets[endpoint] = socket;
                LogBound(endpoint);
            }
        }

        foreach (var (endpoint, socket) in _sockets)
        {
            // One thread per socket, receiving synchronously: the ESP path then costs one system call
            // per packet and no task machinery; IKE work is queued to its tunnel's owner.
            var thread = new Thread(() => ReceiveLoop(endpoint, socket)) { IsBackground = true, Name = $"udp-{endpoint.Port}" };
            thread.Start();
            _threads.Add(thread);
        }
    }

    public void SendEsp(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> espPacket) => Send(local, remote, espPacket);

    public void Send(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> datagram)
    {
        if (!_sockets.TryGetValue(local, out var socket))
        {
            socket = _sockets.FirstOrDefault(s => s.Key.Port == local.Port && s.Key.AddressFamily == remote.AddressFamily).Value;
            if (socket is null)
            {
                LogNoSocket(local, remote);
                return;
            }
        }

        try
        {
            socket.SendTo(datagram, SocketFlags.None, _addresses.GetOrAdd(remote, r => r.Serialize()));
        }
        catch (SocketException e)
        {
            LogSendFailed(remote, e.SocketErrorCode.ToString());
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        foreach (var socket in _sockets.Values)
        {
            socket.Dispose();
        }

        _stopping.Dispose();
    }

    private void ReceiveLoop(IPEndPoint local, Socket socket)
    {
        var buffer = new byte[65535];
        var address = new SocketAddress(local.AddressFamily);
        var template = new IPEndPoint(local.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            int length;
            try
            {
                length = socket.ReceiveFrom(buffer, SocketFlags.None, address);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (_stopping.IsCancellationRequested || e.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted)
            {
                return;
            }
            catch (SocketException e)
            {
                // ICMP port unreachable surfaces as ConnectionReset on some kernels; keep receiving.
                LogReceiveError(local, e.SocketErrorCode.ToString());
                continue;
            }

            var received = buffer.AsSpan(0, length);
            if (local.Port == UdpEncapsulation.NatTraversalPort && EspReceived is { } esp
                && UdpEncapsulation.Classify(received, local.Port, out _) == UdpDatagramKind.Esp)
            {
                esp(received);
                continue;
            }

            try
            {
                Received?.Invoke(local, (IPEndPoint)template.Create(address), received.ToArray());
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogReceiveFailed(local, e.Message); // a bug must not end the receive loop
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "listening on UDP {Endpoint}")]
    private partial void LogBound(IPEndPoint endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "no socket bound to {Local} to send to {Remote}")]
    private partial void LogNoSocket(IPEndPoint local, IPEndPoint remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sending to {Remote} failed: {Error}")]
    private partial void LogSendFailed(IPEndPoint remote, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "handling a datagram received on {Local} failed: {Error}")]
    private partial void LogReceiveFailed(IPEndPoint local, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "receive error on {Local}: {Error}")]
    private partial void LogReceiveError(IPEndPoint local, string error);
}
