using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Net;
using IkeSharp.Crypto;
using IkeSharp.Engine;
using IkeSharp.Linux.Interop;
using IkeSharp.Linux.Routing;
using IkeSharp.Linux.Xfrm;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Linux.Userspace;

/// <summary>
/// ESP in user space (RFC 4303 tunnel mode; RFC 3948 UDP encapsulation, or raw IP protocol 50 when
/// the SA is not encapsulated) over a TUN device, for kernels without ESP. Work is split across the
/// two directions: one thread reads the TUN device, matches each packet to a Child SA by its
/// selectors, seals and sends it; inbound ESP is opened, replay-checked and written to the TUN device
/// on the receive thread of the socket it came in on (the UDP 4500 socket's, or the raw ESP
/// socket's). Each direction of an SA is therefore driven by one thread, with preallocated buffers
/// and no per-packet allocation. Byte and packet limits are counted on those threads (see
/// <see cref="SaTraffic"/>), time limits by a timer per SA; crossing one is reported through
/// <see cref="Events"/>. Routes to the remote selectors go through the device in table 220 (as
/// strongSwan's kernel-libipsec does), with a source hint when a local selector address is ours.
/// </summary>
public sealed partial class UserspaceDatapath : IDatapath
{
    private const int Mtu = 1400;

    /// <summary>
    /// Packets the kernel may queue for the outbound thread. TUN's default of 500 is less than what
    /// TCP small queues let even two local flows put in a device, so a 4-stream transfer lost packets
    /// (and retransmitted) at the device; 1000 (Ethernet's default) held four streams without a drop
    /// without deepening the queue that forwarded traffic sees by much.
    /// </summary>
    private const int TxQueueLength = 1000;

    private readonly string _interfaceName;
    private readonly int _replayWindow;
    private readonly IEspTransport _transport;
    private readonly ILogger<UserspaceDatapath> _logger;
    private readonly TimeProvider _time;
    private readonly object _sync = new();
    private readonly long[] _drops = new long[Enum.GetValues<EspDrop>().Length];
    private readonly CancellationTokenSource _stopping = new();
    private TunDevice? _tun;
    private PolicyRouting? _routing;
    private int _tunIndex;
    private Thread? _outboundThread;
    private volatile OutboundSa[] _outbound = [];
    private volatile FrozenDictionary<uint, InboundSa> _inbound = FrozenDictionary<uint, InboundSa>.Empty;
    private readonly Dictionary<IPAddress, RawEspSocket> _raw = [];
    private readonly Dictionary<uint, ITimer[]> _timers = [];
    private readonly RandomChildSpiSource _spis = new();
    private uint _nextReqId;

    public UserspaceDatapath(string interfaceName, int replayWindow, IEspTransport transport, ILogger<UserspaceDatapath> logger, TimeProvider? time = null)
    {
        _interfaceName = interfaceName;
        _replayWindow = replayWindow;
        _transport = transport;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    public string Description => $"userspace: ESP in user space over TUN device {_interfaceName} (routes in table {PolicyRouting.Table}, ESP in UDP 4500 or raw IP protocol 50)";

    public IReadOnlyDictionary<string, long> Drops
        => Enum.GetValues<EspDrop>().ToDictionary(r => r.ToString(), r => Interlocked.Read(ref _drops[(int)r]));

    /// <summary>Where soft and hard lifetime expiries go (<see cref="ChildSaExpired"/>, reported on the thread pool).</summary>
    public Action<DatapathEvent>? Events { get; set; }

    public ChildSaCounters? CountersFor(uint inboundSpi)
    {
        var outbound = _outbound.FirstOrDefault(o => o.InboundSpi == inboundSpi);
        return _inbound.TryGetValue(inboundSpi, out var inbound) && outbound is not null
            ? new ChildSaCounters(inbound.Traffic.Packets, inbound.Traffic.Bytes, outbound.Traffic.Packets, outbound.Traffic.Bytes)
            : null;
    }

    /// <summary>A random SPI (RFC 4303 §2.1: 256 and up) that no installed inbound SA uses.</summary>
    public uint AllocateInboundSpi(IPAddress local, IPAddress remote)
    {
        while (true)
        {
            var spi = _spis.AllocateInboundSpi(local, remote);
            if (!_inbound.ContainsKey(spi))
            {
                return spi;
            }
        }
    }

    public uint Install(ChildSaInstallation installation)
    {
        using (installation)
        {
            lock (_sync)
            {
                EnsureDevice();
                var reqId = installation.ReqId != 0 ? installation.ReqId : ++_nextReqId;
                var local = installation.LocalTrafficSelectors.Select(SelectorRange.From).ToArray();
                var remote = installation.RemoteTrafficSelectors.Select(SelectorRange.From).ToArray();
                var lifetime = installation.Lifetime;
                var outer = Outer(installation.Local, installation.Remote, installation.UdpEncapsulation); // may fail: before any key is expanded
                var outbound = new OutboundSa(installation.Child, reqId, installation.InboundSpi, installation.OutboundSpi,
                    EspProtection.Create(installation.Suite, installation.OutboundEncryptionKey.Span, installation.OutboundIntegrityKey.Span),
                    local, remote, outer, Traffic(installation.Child, installation.OutboundSpi, "outbound", lifetime));
                var inbound = new InboundSa(installation.InboundSpi,
                    EspProtection.Create(installation.Suite, installation.InboundEncryptionKey.Span, installation.InboundIntegrityKey.Span),
                    new ReplayWindow(_replayWindow), local, remote, installation.UdpEncapsulation,
                    Traffic(installation.Child, installation.InboundSpi, "inbound", lifetime));
                // The first SA matching a packet carries it: a pair that sends at once goes before the older ones.
                _outbound = installation.SendsAtOnce ? [outbound, .. _outbound] : [.. _outbound, outbound];
                _inbound = _inbound.Append(new(inbound.Spi, inbound)).ToFrozenDictionary();
                ArmTimeLimits(installation.Child, lifetime, inbound, outbound);
                foreach (var selector in installation.RemoteTrafficSelectors)
                {
                    AddRoutes(selector, installation.LocalTrafficSelectors);
                }

                LogInstalled(installation.Child, installation.InboundSpi, installation.OutboundSpi, installation.Remote,
                    installation.UdpEncapsulation ? "ESP in UDP" : "raw ESP");
                return reqId;
            }
        }
    }

    public void UpdateEndpoints(UpdateChildSaEndpoints update)
    {
        lock (_sync)
        {
            foreach (var sa in _outbound.Where(o => o.InboundSpi == update.InboundSpi))
            {
                sa.Endpoints = Outer(update.Local, update.Remote, sa.Endpoints.Raw is null);
            }
        }
    }

    public void Remove(RemoveChildSa removal)
    {
        lock (_sync)
        {
            var gone = _outbound.Where(o => o.InboundSpi == removal.InboundSpi).ToList();
            _outbound = [.. _outbound.Except(gone)];
            if (_timers.Remove(removal.InboundSpi, out var timers))
            {
                Array.ForEach(timers, t => t.Dispose());
            }

            var retired = gone.Select(sa => sa.Esp).ToList();
            if (_inbound.TryGetValue(removal.InboundSpi, out var inbound))
            {
                _inbound = _inbound.Where(kv => kv.Key != removal.InboundSpi).ToFrozenDictionary();
                retired.Add(inbound.Esp);
            }

            // The packet threads may still hold the old tables for one packet: dispose a moment later.
            _ = Task.Delay(TimeSpan.FromSeconds(1)).ContinueWith(_ => retired.ForEach(esp => esp.Dispose()), TaskScheduler.Default);
        }
    }

    public void InstallTraps(InstallTrapPolicies trap)
    {
        if (!trap.Hold)
        {
            LogTrapUnsupported(trap.Tunnel, string.Join(", ", trap.Children.Select(c => $"{string.Join(" ", c.LocalTrafficSelectors)} === {string.Join(" ", c.RemoteTrafficSelectors)}")));
        }
    }

    public void RemoveTraps(string tunnel)
    {
    }

    /// <summary>Inbound ESP from the shared UDP 4500 socket (after the non-ESP-marker check).</summary>
    public void ReceiveEsp(Span<byte> packet) => Receive(packet, udp: true);

    /// <summary>Inbound raw ESP (IP protocol 50, outer header already stripped).</summary>
    internal void ReceiveRawEsp(Span<byte> packet) => Receive(packet, udp: false);

    private void Receive(Span<byte> packet, bool udp)
    {
        if (packet.Length < EspProtection.SpiAndSequenceSize)
        {
            Drop(EspDrop.Malformed);
            return;
        }

        if (!_inbound.TryGetValue(BinaryPrimitives.ReadUInt32BigEndian(packet), out var sa))
        {
            Drop(EspDrop.UnknownSpi);
            return;
        }

        // As the kernel's XFRM input: an SA takes ESP only the way it was negotiated, which also
        // keeps each inbound SA on one receive thread (its window and cipher are not thread-safe).
        if (sa.UdpEncapsulation != udp)
        {
            Drop(EspDrop.WrongEncapsulation);
            return;
        }

        var low = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        if (!sa.Window.Check(low, sa.Esp.ExtendedSequenceNumbers, out var sequence))
        {
            Drop(EspDrop.Replay);
            return;
        }

        if (!sa.Esp.TryOpen(packet, sequence, out var payload, out var nextHeader))
        {
            Drop(EspDrop.Integrity);
            return;
        }

        sa.Window.Accept(sequence);
        var inner = packet[payload];
        if (nextHeader is not (4 or 41) || !IpFlow.TryParse(inner, out var flow))
        {
            Drop(EspDrop.Malformed);
            return;
        }

        // RFC 4301 §5.2: the decrypted packet must match the SA's selectors (source is the peer's side).
        if (!Matches(sa.Remote, flow, source: true) || !Matches(sa.Local, flow, source: false))
        {
            Drop(EspDrop.Selectors);
            return;
        }

        if (!sa.Traffic.TryCount(inner.Length))
        {
            Drop(EspDrop.Expired);
            return;
        }

        _tun?.Write(inner);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _outboundThread?.Join(TimeSpan.FromSeconds(2));
        lock (_sync)
        {
            // Raw receive threads first (disposing joins them): none may be opening a packet with a disposed SA.
            foreach (var raw in _raw.Values)
            {
                raw.Dispose();
            }

            _raw.Clear();
            foreach (var sa in _outbound)
            {
                sa.Esp.Dispose();
            }

            foreach (var sa in _inbound.Values)
            {
                sa.Esp.Dispose();
            }

            _outbound = [];
            _inbound = FrozenDictionary<uint, InboundSa>.Empty;
            foreach (var timer in _timers.Values.SelectMany(t => t))
            {
                timer.Dispose();
            }

            _timers.Clear();
            _routing?.Dispose();
            if (_tun is not null)
            {
                _tun.Dispose(); // a non-persistent TUN device disappears with its routes
                LogRemovedDevice(_interfaceName);
            }
        }

        _stopping.Dispose();
    }

    private void EnsureDevice()
    {
        if (_tun is not null)
        {
            return;
        }

        _tun = TunDevice.Open(_interfaceName);
        _routing = PolicyRouting.Open(_logger);
        _routing.SetLinkUp(_interfaceName, Mtu, TxQueueLength);
        _tunIndex = (int)net_if.if_nametoindex(_interfaceName);
        _outboundThread = new Thread(OutboundLoop) { IsBackground = true, Name = "esp-outbound" };
        _outboundThread.Start();
        LogCreatedDevice(_interfaceName, Mtu, PolicyRouting.Table);
    }

    /// <summary>
    /// Routes to <paramref name="remote"/> through the device, kept until stop even when the Child SA
    /// goes: traffic for the remote selectors is then dropped on the device, never sent in the clear.
    /// </summary>
    private void AddRoutes(Protocol.TrafficSelector remote, IEnumerable<Protocol.TrafficSelector> local)
    {
        var source = LocalAddresses.Within(local);
        foreach (var prefix in XfrmSelectors.Prefixes(remote))
        {
            _routing!.Add(prefix, _tunIndex, gateway: null, source);
        }
    }

    private void OutboundLoop()
    {
        var packet = new byte[65536];
        var esp = new byte[65536 + 256];
        while (!_stopping.IsCancellationRequested)
        {
            var length = _tun?.Read(packet, 200) ?? 0;
            if (length == 0)
            {
                continue;
            }

            var inner = packet.AsSpan(0, length);
            if (!IpFlow.TryParse(inner, out var flow))
            {
                Drop(EspDrop.Malformed);
                continue;
            }

            var sa = FindOutbound(flow);
            if (sa is null)
            {
                Drop(EspDrop.NoChildSa);
                continue;
            }

            // RFC 4303 §3.3.3: without ESN the 32-bit counter must not cycle; the SA needs rekeying first.
            if (!sa.Esp.ExtendedSequenceNumbers && sa.Sequence == uint.MaxValue)
            {
                Drop(EspDrop.SequenceExhausted);
                continue;
            }

            if (!sa.Traffic.TryCount(length))
            {
                Drop(EspDrop.Expired);
                continue;
            }

            var sealedLength = sa.Esp.Seal(sa.Spi, ++sa.Sequence, inner, flow.V6 ? (byte)41 : (byte)4, esp);
            var endpoints = sa.Endpoints;
            if (endpoints.Raw is { } raw)
            {
                if (!raw.Send(esp.AsSpan(0, sealedLength), endpoints.RawDestination!))
                {
                    Drop(EspDrop.SendFailed);
                }

                continue;
            }

            _transport.SendEsp(endpoints.Local, endpoints.Remote, esp.AsSpan(0, sealedLength));
        }
    }

    private OutboundSa? FindOutbound(in IpFlow flow)
    {
        foreach (var sa in _outbound)
        {
            if (Matches(sa.Local, flow, source: true) && Matches(sa.Remote, flow, source: false))
            {
                return sa;
            }
        }

        return null;
    }

    private static bool Matches(SelectorRange[] selectors, in IpFlow flow, bool source)
    {
        foreach (var selector in selectors)
        {
            if (selector.Contains(flow, source))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Outer endpoints of an SA; for raw ESP with the socket of the local address (opened on first use, under <see cref="_sync"/>).</summary>
    private OuterEndpoints Outer(IPEndPoint local, IPEndPoint remote, bool udpEncapsulation)
    {
        if (udpEncapsulation)
        {
            return new OuterEndpoints(local, remote, null, null);
        }

        if (!_raw.TryGetValue(local.Address, out var raw))
        {
            try
            {
                raw = RawEspSocket.Open(local.Address, ReceiveRawEsp);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
            {
                throw new InvalidOperationException($"cannot open a raw ESP socket on {local.Address}: {e.Message} (needs CAP_NET_RAW)", e);
            }

            _raw[local.Address] = raw;
            LogRawSocket(local.Address);
        }

        return new OuterEndpoints(local, remote, raw, RawEspSocket.Destination(remote.Address));
    }

    private void Drop(EspDrop reason) => Interlocked.Increment(ref _drops[(int)reason]);

    [LoggerMessage(Level = LogLevel.Information, Message = "created TUN device {Device} (mtu {Mtu}), routes in table {Table}")]
    private partial void LogCreatedDevice(string device, int mtu, uint table);

    [LoggerMessage(Level = LogLevel.Information, Message = "removed TUN device {Device} and its routes")]
    private partial void LogRemovedDevice(string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "ESP SA {Child} installed in user space: in {InboundSpi:x8}, out {OutboundSpi:x8} to {Remote} ({Transport})")]
    private partial void LogInstalled(string child, uint inboundSpi, uint outboundSpi, IPEndPoint remote, string transport);

    [LoggerMessage(Level = LogLevel.Warning, Message = "tunnel {Tunnel} waits for traffic ({Selectors}), but only the kernel datapath can trap packets: use 'ikesharp up {Tunnel}', or datapath = kernel")]
    private partial void LogTrapUnsupported(string tunnel, string selectors);

    [LoggerMessage(Level = LogLevel.Information, Message = "raw ESP socket (IP protocol 50) bound to {Local}")]
    private partial void LogRawSocket(IPAddress local);
}
