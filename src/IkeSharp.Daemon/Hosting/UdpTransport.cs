using System.Net;
using System.Net.Sockets;
using IkeSharp.Linux.Userspace;
using IkeSharp.Protocol;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.Hosting;

/// <summary>
/// The IKE sockets: UDP 500 and 4500 on every listening address (IPv4 and IPv6). Received
/// datagrams are handed to <see cref="Received"/> on the thread pool, so the receive loops only
/// receive; sends pick the socket bound to the effect's local endpoint.
/// </summary>
internal sealed partial class UdpTransport(ILogger<UdpTransport> logger) : IEspTransport, IDisposable
{
    private readonly Dictionary<IPEndPoint, Socket> _sockets = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];

    /// <summary>Called for each datagram: local endpoint, remote endpoint, UDP payload (owned by the callee).</summary>
    public Action<IPEndPoint, IPEndPoint, byte[]>? Received { get; set; }

    /// <summary>ESP-in-UDP arriving on 4500, handed over on the receive thread itself (the user-space datapath's inbound path).</summary>
    public SpanAction? EspReceived { get; set; }

    public delegate void SpanAction(Span<byte> packet);

    public IReadOnlyCollection<IPEndPoint> Endpoints => _sockets.Keys;

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
                }
                catch (SocketException e)
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
            _loops.Add(Task.Run(() => ReceiveLoop(endpoint, socket)));
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
            socket.SendTo(datagram, remote);
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

    private async Task ReceiveLoop(IPEndPoint local, Socket socket)
    {
        var buffer = new byte[65535];
        EndPoint any = local.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // ICMP port unreachable surfaces as ConnectionReset on some kernels; keep receiving.
                LogReceiveError(local, e.SocketErrorCode.ToString());
                continue;
            }

            var received = buffer.AsSpan(0, result.ReceivedBytes);
            if (local.Port == UdpEncapsulation.NatTraversalPort && EspReceived is { } esp
                && UdpEncapsulation.Classify(received, local.Port, out _) == UdpDatagramKind.Esp)
            {
                esp(received);
                continue;
            }

            var payload = received.ToArray();
            var remote = (IPEndPoint)result.RemoteEndPoint;
            ThreadPool.UnsafeQueueUserWorkItem(_ => Received?.Invoke(local, remote, payload), null);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "listening on UDP {Endpoint}")]
    private partial void LogBound(IPEndPoint endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "no socket bound to {Local} to send to {Remote}")]
    private partial void LogNoSocket(IPEndPoint local, IPEndPoint remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sending to {Remote} failed: {Error}")]
    private partial void LogSendFailed(IPEndPoint remote, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "receive error on {Local}: {Error}")]
    private partial void LogReceiveError(IPEndPoint local, string error);
}
