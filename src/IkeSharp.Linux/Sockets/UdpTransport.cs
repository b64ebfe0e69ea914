using System.Net;
using System.Net.Sockets;
using IkeSharp.Engine;
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
    /// <summary>Remote endpoints whose socket address is kept; beyond it the cache starts over.</summary>
    internal const int AddressCacheLimit = 4096;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<IPEndPoint, SocketAddress> _addresses = new();
    private readonly RateLimitedEvent _failuresLogged = new(TimeSpan.FromSeconds(10));
    private long _handlerFailures;

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
            socket.SendTo(datagram, SocketFlags.None, AddressOf(remote));
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
            try
            {
                if (local.Port == UdpEncapsulation.NatTraversalPort && EspReceived is { } esp
                    && UdpEncapsulation.Classify(received, local.Port, out _) == UdpDatagramKind.Esp)
                {
                    esp(received);
                }
                else
                {
                    Received?.Invoke(local, (IPEndPoint)template.Create(address), received.ToArray());
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A bug must neither end the receive loop (an unhandled exception here ends the process)
                // nor, hit by every packet of a flood, flood the log.
                Interlocked.Increment(ref _handlerFailures);
                if (_failuresLogged.TryLog(DateTimeOffset.UtcNow, out var unlogged))
                {
                    LogReceiveFailed(local, e.GetType().Name, e.Message, unlogged, e);
                }
            }
        }
    }

    /// <summary>Remote endpoints whose socket address is cached now.</summary>
    internal int CachedAddresses => _addresses.Count;

    /// <summary>Datagrams whose handler (IKE or ESP) threw: each one is a bug, dropped and counted.</summary>
    public long HandlerFailures => Interlocked.Read(ref _handlerFailures);

    /// <summary>The cached socket address of <paramref name="remote"/>, so that a send serialises no endpoint.</summary>
    private SocketAddress AddressOf(IPEndPoint remote)
    {
        if (_addresses.TryGetValue(remote, out var cached))
        {
            return cached;
        }

        // Answers to forged sources (COOKIEs, IKE_SA_INIT) must not grow the cache without bound:
        // when full it starts over, and the peers in use come back at their next send.
        if (_addresses.Count >= AddressCacheLimit)
        {
            _addresses.Clear();
        }

        return _addresses.GetOrAdd(remote, r => r.Serialize());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "listening on UDP {Endpoint}")]
    private partial void LogBound(IPEndPoint endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "no socket bound to {Local} to send to {Remote}")]
    private partial void LogNoSocket(IPEndPoint local, IPEndPoint remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sending to {Remote} failed: {Error}")]
    private partial void LogSendFailed(IPEndPoint remote, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "handling a datagram received on {Local} failed ({Exception}: {Error}); dropped ({Unlogged} more since the last such line)")]
    private partial void LogReceiveFailed(IPEndPoint local, string exception, string error, long unlogged, Exception e);

    [LoggerMessage(Level = LogLevel.Debug, Message = "receive error on {Local}: {Error}")]
    private partial void LogReceiveError(IPEndPoint local, string error);
}
