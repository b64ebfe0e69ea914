using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Net;
using System.Net.NetworkInformation;
using IkeSharp.Crypto;
using IkeSharp.Engine;
using IkeSharp.Linux.Interop;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Linux.Userspace;

/// <summary>Why the user-space datapath dropped a packet.</summary>
public enum EspDrop
{
    /// <summary>Outbound packet matched no Child SA's selectors.</summary>
    NoChildSa,
    /// <summary>Inbound ESP with an SPI we do not know.</summary>
    UnknownSpi,
    /// <summary>Inbound sequence number already seen or below the window.</summary>
    Replay,
    /// <summary>Inbound ICV did not verify.</summary>
    Integrity,
    /// <summary>Decrypted packet outside the SA's traffic selectors (RFC 4301 §5.2).</summary>
    Selectors,
    /// <summary>Too short, bad padding, not IP.</summary>
    Malformed,
    /// <summary>Outbound sequence numbers used up without ESN: the SA must be rekeyed.</summary>
    SequenceExhausted,
}

/// <summary>
/// ESP in user space (RFC 4303 tunnel mode, RFC 3948 UDP encapsulation) over a TUN device, for
/// kernels without ESP. Work is split across the two directions: one thread reads the TUN device,
/// matches each packet to a Child SA by its selectors, seals and sends it; inbound ESP is opened,
/// replay-checked and written to the TUN device on the UDP socket's own receive thread. Each
/// direction of an SA is therefore driven by one thread, with preallocated buffers and no
/// per-packet allocation. Routes to the remote selectors go through the device in table 220 (as
/// strongSwan's kernel-libipsec does), with a source hint when a local selector address is ours.
/// </summary>
public sealed partial class UserspaceDatapath : IDatapath
{
    public const int RouteTable = 220;
    private const int Mtu = 1400;

    private readonly string _interfaceName;
    private readonly int _replayWindow;
    private readonly IEspTransport _transport;
    private readonly ILogger<UserspaceDatapath> _logger;
    private readonly object _sync = new();
    private readonly long[] _drops = new long[Enum.GetValues<EspDrop>().Length];
    private readonly CancellationTokenSource _stopping = new();
    private TunDevice? _tun;
    private Thread? _outboundThread;
    private volatile OutboundSa[] _outbound = [];
    private volatile FrozenDictionary<uint, InboundSa> _inbound = FrozenDictionary<uint, InboundSa>.Empty;
    private readonly HashSet<string> _routes = [];

    public UserspaceDatapath(string interfaceName, int replayWindow, IEspTransport transport, ILogger<UserspaceDatapath> logger)
    {
        _interfaceName = interfaceName;
        _replayWindow = replayWindow;
        _transport = transport;
        _logger = logger;
    }

    public string Description => $"userspace: ESP in user space over TUN device {_interfaceName} (routes in table {RouteTable}, ESP always in UDP 4500)";

    public bool RequiresUdpEncapsulation => true;

    public IReadOnlyDictionary<string, long> Drops
        => Enum.GetValues<EspDrop>().ToDictionary(r => r.ToString(), r => Interlocked.Read(ref _drops[(int)r]));

    /// <summary>Unused: trap policies and lifetimes are the kernel datapath's.</summary>
    public Action<DatapathEvent>? Events { get; set; }

    public ChildSaCounters? CountersFor(uint inboundSpi)
    {
        var outbound = _outbound.FirstOrDefault(o => o.InboundSpi == inboundSpi);
        return _inbound.TryGetValue(inboundSpi, out var inbound) && outbound is not null
            ? new ChildSaCounters(inbound.Packets, inbound.Bytes, outbound.Packets, outbound.Bytes)
            : null;
    }

    public void Install(ChildSaInstallation installation)
    {
        using (installation)
        {
            lock (_sync)
            {
                EnsureDevice();
                var local = installation.LocalTrafficSelectors.Select(SelectorRange.From).ToArray();
                var remote = installation.RemoteTrafficSelectors.Select(SelectorRange.From).ToArray();
                var outbound = new OutboundSa(installation.Child, installation.ReqId, installation.InboundSpi, installation.OutboundSpi,
                    EspProtection.Create(installation.Suite, installation.OutboundEncryptionKey.Span, installation.OutboundIntegrityKey.Span),
                    local, remote, installation.Local, installation.Remote);
                var inbound = new InboundSa(installation.InboundSpi,
                    EspProtection.Create(installation.Suite, installation.InboundEncryptionKey.Span, installation.InboundIntegrityKey.Span),
                    new ReplayWindow(_replayWindow), local, remote);
                _outbound = [.. _outbound, outbound];
                _inbound = _inbound.Append(new(inbound.Spi, inbound)).ToFrozenDictionary();
                foreach (var selector in installation.RemoteTrafficSelectors)
                {
                    AddRoute(selector, installation.LocalTrafficSelectors);
                }

                LogInstalled(installation.Child, installation.InboundSpi, installation.OutboundSpi, installation.Remote);
            }
        }
    }

    public void UpdateEndpoints(UpdateChildSaEndpoints update)
    {
        foreach (var sa in _outbound.Where(o => o.InboundSpi == update.InboundSpi))
        {
            sa.Endpoints = new OuterEndpoints(update.Local, update.Remote);
        }
    }

    public void Remove(RemoveChildSa removal)
    {
        lock (_sync)
        {
            var gone = _outbound.Where(o => o.InboundSpi == removal.InboundSpi).ToList();
            _outbound = [.. _outbound.Except(gone)];
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

    /// <summary>Inbound ESP from the shared UDP 4500 socket (after the non-ESP-marker check).</summary>
    public void ReceiveEsp(Span<byte> packet)
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

        sa.Packets++;
        sa.Bytes += inner.Length;
        _tun?.Write(inner);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _outboundThread?.Join(TimeSpan.FromSeconds(2));
        lock (_sync)
        {
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
            if (_tun is not null)
            {
                TryIp("rule", "del", "priority", $"{RouteTable}", "table", $"{RouteTable}");
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
        IpCommand.Run("link", "set", "dev", _interfaceName, "mtu", $"{Mtu}", "up");
        TryIp("rule", "del", "priority", $"{RouteTable}", "table", $"{RouteTable}");
        IpCommand.Run("rule", "add", "priority", $"{RouteTable}", "table", $"{RouteTable}");
        _outboundThread = new Thread(OutboundLoop) { IsBackground = true, Name = "esp-outbound" };
        _outboundThread.Start();
        LogCreatedDevice(_interfaceName, Mtu, RouteTable);
    }

    private void AddRoute(Protocol.TrafficSelector remote, IEnumerable<Protocol.TrafficSelector> local)
    {
        var prefix = remote.ToString();
        if (prefix.Contains("..", StringComparison.Ordinal) || prefix.Contains('[', StringComparison.Ordinal))
        {
            prefix = $"{remote.StartAddress}/{(remote.StartAddress!.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)}";
        }

        if (!_routes.Add(prefix))
        {
            return;
        }

        var source = LocalAddressWithin(local);
        string[] arguments = source is null
            ? ["route", "replace", prefix, "dev", _interfaceName, "table", $"{RouteTable}"]
            : ["route", "replace", prefix, "dev", _interfaceName, "table", $"{RouteTable}", "src", source.ToString()];
        IpCommand.Run(arguments);
        LogRoute(prefix, _interfaceName, source?.ToString() ?? "(none)");
    }

    /// <summary>An address of this host inside our selectors: the source the kernel should pick for tunnel traffic.</summary>
    internal static IPAddress? LocalAddressWithin(IEnumerable<Protocol.TrafficSelector> local)
    {
        var ranges = local.Select(SelectorRange.From).ToList();
        return NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => ranges.Any(r => r.V6 == (a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
                && SelectorRange.Number(a) >= r.Start && SelectorRange.Number(a) <= r.End));
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

            var sealedLength = sa.Esp.Seal(sa.Spi, ++sa.Sequence, inner, flow.V6 ? (byte)41 : (byte)4, esp);
            sa.Packets++;
            sa.Bytes += length;
            var (local, remote) = sa.Endpoints;
            _transport.SendEsp(local, remote, esp.AsSpan(0, sealedLength));
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

    private void Drop(EspDrop reason) => Interlocked.Increment(ref _drops[(int)reason]);

    private static void TryIp(params string[] arguments)
    {
        try
        {
            IpCommand.Run(arguments);
        }
        catch (IOException)
        {
            // cleaning up what may not exist
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "created TUN device {Device} (mtu {Mtu}), routes in table {Table}")]
    private partial void LogCreatedDevice(string device, int mtu, int table);

    [LoggerMessage(Level = LogLevel.Information, Message = "removed TUN device {Device} and its routes")]
    private partial void LogRemovedDevice(string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "route {Prefix} via {Device} (source {Source})")]
    private partial void LogRoute(string prefix, string device, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "ESP SA {Child} installed in user space: in {InboundSpi:x8}, out {OutboundSpi:x8} to {Remote}")]
    private partial void LogInstalled(string child, uint inboundSpi, uint outboundSpi, IPEndPoint remote);

    private sealed record OuterEndpoints(IPEndPoint Local, IPEndPoint Remote);

    private sealed class OutboundSa(string child, uint reqId, uint inboundSpi, uint spi, EspProtection esp, SelectorRange[] local, SelectorRange[] remote, IPEndPoint localEndpoint, IPEndPoint remoteEndpoint)
    {
        public string Child { get; } = child;

        public uint ReqId { get; } = reqId;

        public uint InboundSpi { get; } = inboundSpi;

        public uint Spi { get; } = spi;

        public EspProtection Esp { get; } = esp;

        public SelectorRange[] Local { get; } = local;

        public SelectorRange[] Remote { get; } = remote;

        /// <summary>Outer endpoints; replaced as one object (read atomically) when the peer's NAT mapping changes.</summary>
        public OuterEndpoints Endpoints
        {
            get => Volatile.Read(ref _endpoints);
            set => Volatile.Write(ref _endpoints, value);
        }

        private OuterEndpoints _endpoints = new(localEndpoint, remoteEndpoint);

        public ulong Sequence { get; set; }

        public long Packets { get; set; }

        public long Bytes { get; set; }
    }

    private sealed class InboundSa(uint spi, EspProtection esp, ReplayWindow window, SelectorRange[] local, SelectorRange[] remote)
    {
        public uint Spi { get; } = spi;

        public EspProtection Esp { get; } = esp;

        public ReplayWindow Window { get; } = window;

        public SelectorRange[] Local { get; } = local;

        public SelectorRange[] Remote { get; } = remote;

        public long Packets { get; set; }

        public long Bytes { get; set; }
    }
}
