using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Sa;
using IkeSharp.Protocol;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Engine;

/// <summary>
/// The IKE engine: finds the IKE SA for each datagram (by SPI, O(1)), creates responder SAs
/// (behind a COOKIE when too many are half-open, RFC 7296 §2.6), starts tunnels, runs timers and
/// restarts. It performs no I/O and reads time only from its <see cref="TimeProvider"/>; every call
/// returns the effects for the host to carry out. Calls may come from any thread: each IKE SA is
/// processed under its own lock, so a slow handshake (DH, RSA) holds up only its own SA.
/// </summary>
public sealed class IkeEngine
{
    private const int CookieVersion = 1;

    private readonly EngineContext _context;
    private readonly ConcurrentDictionary<ulong, IkeSa> _sas = new();
    private readonly ConcurrentDictionary<(ulong InitiatorSpi, IPEndPoint Remote), IkeSa> _halfOpen = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new();
    private readonly ConcurrentDictionary<string, bool> _wanted = new();
    private readonly ConcurrentDictionary<string, bool> _restartAfterClose = new();
    private readonly byte[] _cookieSecret = RandomNumberGenerator.GetBytes(32);

    public IkeEngine(EngineOptions options, TimeProvider time, ILoggerFactory loggers, IChildSpiSource? spis = null)
    {
        _context = new EngineContext(time, loggers, spis ?? new RandomChildSpiSource(), options);
    }

    public EngineStatistics Statistics => _context.Statistics;

    public EngineOptions Options => _context.Options;

    /// <summary>Responder SAs that have not finished IKE_AUTH (what the COOKIE threshold counts).</summary>
    internal int HalfOpenCount => _halfOpen.Count;

    /// <summary>
    /// Applies start actions: initiates <see cref="StartAction.Start"/> tunnels and installs trap
    /// policies for <see cref="StartAction.Trap"/> ones.
    /// </summary>
    public IReadOnlyList<EngineEffect> Start() => [.. Options.Tunnels.SelectMany(ApplyStartAction)];

    /// <summary>
    /// Reload: switches to <paramref name="options"/>. Tunnels whose configuration did not change
    /// keep their SAs untouched; changed tunnels are closed with DELETE and started again by their
    /// new start action once closed; removed tunnels are closed; new ones are started.
    /// </summary>
    public Reconfiguration Reconfigure(EngineOptions options)
    {
        var old = Options;
        _context.Options = options;
        var effects = new List<EngineEffect>();
        var unchanged = new List<string>();
        var changed = new List<string>();
        var removed = new List<string>();
        foreach (var tunnel in old.Tunnels)
        {
            var replacement = options.Tunnels.FirstOrDefault(t => t.Name == tunnel.Name);
            if (replacement is not null && TunnelConfigEquivalence.Equivalent(tunnel, replacement))
            {
                unchanged.Add(tunnel.Name);
                continue;
            }

            (replacement is null ? removed : changed).Add(tunnel.Name);
            var open = _sas.Values.Any(sa => sa.Tunnel.Name == tunnel.Name);
            if (replacement is not null && open)
            {
                _restartAfterClose[tunnel.Name] = true;
            }

            effects.AddRange(Terminate(tunnel.Name));
            if (replacement is not null && !open)
            {
                effects.AddRange(ApplyStartAction(replacement));
            }
        }

        var added = options.Tunnels.Where(t => old.Tunnels.All(o => o.Name != t.Name)).ToList();
        foreach (var tunnel in added)
        {
            effects.AddRange(ApplyStartAction(tunnel));
        }

        return new Reconfiguration(effects, [.. unchanged], [.. changed], [.. added.Select(t => t.Name)], [.. removed]);
    }

    private IReadOnlyList<EngineEffect> ApplyStartAction(TunnelConfig tunnel) => tunnel.StartAction switch
    {
        StartAction.Start => Initiate(tunnel.Name),
        StartAction.Trap => [InstallTrapPolicies.For(tunnel)],
        _ => [],
    };

    /// <summary>
    /// The datapath saw traffic matching a tunnel's trap policy (kernel ACQUIRE): bring the tunnel up
    /// unless it already is or is on its way.
    /// </summary>
    public IReadOnlyList<EngineEffect> OnAcquire(string tunnelName)
        => _sas.Values.Any(sa => sa.Tunnel.Name == tunnelName && sa.State != IkeSaState.Dead) ? [] : Initiate(tunnelName);

    /// <summary>
    /// The datapath reports that the Child SA with inbound or outbound SPI <paramref name="spi"/>
    /// reached a lifetime (kernel EXPIRE). Soft: it is due for a rekey. Hard: the SA is gone from the
    /// datapath, so the Child SA is deleted with the peer too.
    /// </summary>
    public IReadOnlyList<EngineEffect> OnChildSaExpired(uint spi, bool hard)
        => WithChild(spi, (sa, child) =>
        {
            if (!hard)
            {
                EngineLog.ChildSoftExpired(sa.Logger, child.Name, $"{spi:x8}");
                return;
            }

            EngineLog.ChildHardExpired(sa.Logger, child.Name, $"{spi:x8}");
            sa.Tasks.Queue(new Tasks.ChildDeleteTask(sa, child, "hard lifetime reached"));
        });

    /// <summary>
    /// The datapath could not install the Child SA with inbound SPI <paramref name="inboundSpi"/>
    /// (e.g. the kernel lacks an algorithm): it cannot carry traffic, so it is deleted with the peer
    /// rather than left looking established.
    /// </summary>
    public IReadOnlyList<EngineEffect> OnChildSaInstallFailed(uint inboundSpi, string reason)
        => WithChild(inboundSpi, (sa, child) =>
        {
            EngineLog.ChildInstallFailed(sa.Logger, child.Name, $"{inboundSpi:x8}", reason);
            sa.Tasks.Queue(new Tasks.ChildDeleteTask(sa, child, $"datapath refused it: {reason}"));
        });

    private List<EngineEffect> WithChild(uint spi, Action<IkeSa, ChildSa> action)
    {
        foreach (var sa in _sas.Values)
        {
            if (sa.Children.FirstOrDefault(c => c.InboundSpi == spi || c.OutboundSpi == spi) is { } child)
            {
                return Run(sa, () => action(sa, child));
            }
        }

        return [];
    }

    /// <summary>Brings a tunnel up (and keeps it up, retrying per its keyingtries).</summary>
    public IReadOnlyList<EngineEffect> Initiate(string tunnelName)
    {
        var tunnel = _context.FindTunnel(tunnelName) ?? throw new ArgumentException($"no tunnel named '{tunnelName}'", nameof(tunnelName));
        if (tunnel.LocalAddress is null || tunnel.RemoteAddresses.IsEmpty)
        {
            throw new InvalidOperationException($"tunnel '{tunnel.Name}' cannot initiate: it needs a local address and a remote address");
        }

        _wanted[tunnel.Name] = true;
        if (_sas.Values.Any(sa => sa.Tunnel.Name == tunnel.Name && sa.IsOriginalInitiator && sa.State != IkeSaState.Dead))
        {
            return [];
        }

        var attempt = _attempts.AddOrUpdate(tunnel.Name, 1, (_, n) => n + 1);
        var local = new IPEndPoint(tunnel.LocalAddress, UdpEncapsulation.IkePort);
        var remote = new IPEndPoint(tunnel.RemoteAddresses[0], tunnel.RemotePort);
        var sa = new IkeSa(_context, tunnel, originalInitiator: true, NewSpi(), 0, local, remote);
        _sas[sa.LocalSpi] = sa;
        EngineLog.Initiating(sa.Logger, tunnel.Name, remote, attempt);
        return Run(sa, () =>
        {
            sa.Emit(new TunnelStateChanged(tunnel.Name, TunnelState.Connecting, $"attempt {attempt}"));
            sa.StartInitiating();
        });
    }

    /// <summary>Closes a tunnel with DELETE and stops retrying it.</summary>
    public IReadOnlyList<EngineEffect> Terminate(string tunnelName)
    {
        _wanted[tunnelName] = false;
        var effects = new List<EngineEffect> { new CancelTimer(new TimerKey(0, tunnelName, TimerKind.Reconnect)), new RemoveTrapPolicies(tunnelName) };
        foreach (var sa in _sas.Values.Where(s => s.Tunnel.Name == tunnelName))
        {
            effects.AddRange(Run(sa, () => sa.Delete("closed by operator")));
        }

        return effects;
    }

    /// <summary>Graceful stop: DELETE for every IKE SA, then everything removed locally.</summary>
    public IReadOnlyList<EngineEffect> Shutdown()
    {
        var effects = new List<EngineEffect>();
        foreach (var tunnel in Options.Tunnels)
        {
            _wanted[tunnel.Name] = false;
        }

        foreach (var sa in _sas.Values)
        {
            effects.AddRange(Run(sa, () =>
            {
                sa.Delete("daemon shutting down");
                sa.Terminate("daemon shutting down");
            }));
        }

        return effects;
    }

    /// <summary>Handles one UDP payload received on <paramref name="local"/> from <paramref name="remote"/>.</summary>
    public IReadOnlyList<EngineEffect> Receive(IPEndPoint local, IPEndPoint remote, ReadOnlyMemory<byte> udpPayload)
    {
        var kind = UdpEncapsulation.Classify(udpPayload.Span, local.Port, out var offset);
        if (kind != UdpDatagramKind.Ike)
        {
            if (kind == UdpDatagramKind.Invalid)
            {
                Drop(remote, "too short for IKE");
                _context.Statistics.CountUndecodable();
            }

            return []; // keepalives are for the NAT; ESP is the datapath's
        }

        var datagram = udpPayload[offset..];
        if (!IkeHeader.TryRead(datagram.Span, out var header, out var headerError))
        {
            _context.Statistics.CountUndecodable();
            Drop(remote, headerError.ToString());
            return [];
        }

        var ourSpi = header.FromOriginalInitiator ? header.ResponderSpi : header.InitiatorSpi;
        if (ourSpi == 0 && header.ExchangeType == ExchangeType.IKE_SA_INIT && !header.IsResponse)
        {
            return _halfOpen.TryGetValue((header.InitiatorSpi, remote), out var existing)
                ? Deliver(existing, datagram, local, remote)
                : AcceptNew(datagram, local, remote);
        }

        if (!_sas.TryGetValue(ourSpi, out var sa))
        {
            _context.Statistics.CountUnknownSpi();
            Drop(remote, $"no IKE SA with SPI {ourSpi:x16}");
            return [];
        }

        return Deliver(sa, datagram, local, remote);
    }

    public IReadOnlyList<EngineEffect> OnTimer(TimerKey key)
    {
        if (key.Kind == TimerKind.Reconnect)
        {
            return _wanted.GetValueOrDefault(key.Tunnel) ? Initiate(key.Tunnel) : [];
        }

        if (!_sas.TryGetValue(key.LocalSpi, out var sa))
        {
            return [];
        }

        return Run(sa, () =>
        {
            switch (key.Kind)
            {
                case TimerKind.Retransmit:
                    sa.Tasks.OnRetransmitTimer();
                    break;
                case TimerKind.Dpd:
                    sa.OnDpdTimer();
                    break;
                case TimerKind.NatKeepalive when sa.State == IkeSaState.Established:
                    sa.Emit(new SendDatagram(sa.Local, sa.Remote, [0xff])); // RFC 3948 §2.3
                    sa.ArmTimer(TimerKind.NatKeepalive, sa.Tunnel.NatKeepalive);
                    break;
                case TimerKind.HalfOpenTimeout when sa.IsHalfOpen:
                    sa.Terminate($"IKE_AUTH not completed within {Options.HalfOpenTimeout.TotalSeconds:0}s", TerminationCause.PeerUnresponsive);
                    break;
            }
        });
    }

    /// <summary>Status of every IKE SA.</summary>
    public IReadOnlyList<IkeSaStatus> GetStatus()
    {
        var result = new List<IkeSaStatus>();
        foreach (var sa in _sas.Values)
        {
            lock (sa.Sync)
            {
                result.Add(new IkeSaStatus(sa.Tunnel.Name, sa.State, sa.IsOriginalInitiator, $"{sa.InitiatorSpi:x16}", $"{sa.ResponderSpi:x16}",
                    sa.Local, sa.Remote, sa.Tunnel.LocalIdentity.ToString(), sa.PeerIdentity?.ToString(), sa.Proposal, sa.NatLocal, sa.NatRemote,
                    sa.UdpEncapsulation, sa.EstablishedAt,
                    [.. sa.Children.Select(c => new ChildSaStatus(c.Name, c.ReqId, $"{c.InboundSpi:x8}", $"{c.OutboundSpi:x8}", c.Proposal,
                        string.Join(" ", c.LocalTrafficSelectors), string.Join(" ", c.RemoteTrafficSelectors), c.EstablishedAt))]));
            }
        }

        return result;
    }

    internal static bool AddressesMatch(TunnelConfig tunnel, IPEndPoint local, IPEndPoint remote)
        => (tunnel.LocalAddress is null || tunnel.LocalAddress.Equals(local.Address))
            && (tunnel.RemoteAddresses.IsEmpty || tunnel.RemoteAddresses.Contains(remote.Address));

    private List<EngineEffect> Deliver(IkeSa sa, ReadOnlyMemory<byte> datagram, IPEndPoint local, IPEndPoint remote)
    {
        if (!IkeMessage.TryDecode(datagram, out var message, out var error) || MessageRules.CheckOuter(message) is { } _)
        {
            _context.Statistics.CountUndecodable();
            Drop(remote, message is null ? error.ToString() : "outer payloads break the message rules");
            return [];
        }

        return Run(sa, () => sa.Receive(message, datagram, local, remote));
    }

    private List<EngineEffect> AcceptNew(ReadOnlyMemory<byte> datagram, IPEndPoint local, IPEndPoint remote)
    {
        if (!IkeMessage.TryDecode(datagram, out var request, out var error) || MessageRules.Check(request) is { } _)
        {
            _context.Statistics.CountUndecodable();
            Drop(remote, request is null ? error.ToString() : "IKE_SA_INIT request breaks the message rules");
            return [];
        }

        var tunnel = Options.Tunnels.FirstOrDefault(t => AddressesMatch(t, local, remote));
        if (tunnel is null)
        {
            _context.Statistics.CountUnexpected();
            Drop(remote, $"no tunnel accepts IKE from {remote.Address} to {local.Address}");
            return [];
        }

        var halfOpen = _halfOpen.Count;
        if (halfOpen >= Options.CookieThreshold && !CookieIsValid(request, remote))
        {
            _context.Statistics.CountCookieSent();
            EngineLog.CookieSent(_context.Logger, halfOpen, Options.CookieThreshold, remote);
            return [CookieResponse(request, local, remote)];
        }

        var sa = new IkeSa(_context, tunnel, originalInitiator: false, request.Header.InitiatorSpi, NewSpi(), local, remote) { HalfOpenKey = (request.Header.InitiatorSpi, remote) };
        _sas[sa.LocalSpi] = sa;
        _halfOpen[sa.HalfOpenKey] = sa;
        return Run(sa, () =>
        {
            sa.ArmTimer(TimerKind.HalfOpenTimeout, Options.HalfOpenTimeout);
            sa.Receive(request, datagram, local, remote);
        });
    }

    /// <summary>Runs <paramref name="action"/> under the SA's lock, takes its effects and reaps it if it died.</summary>
    private List<EngineEffect> Run(IkeSa sa, Action action)
    {
        List<EngineEffect> effects;
        lock (sa.Sync)
        {
            using (sa.BeginLogScope())
            {
                try
                {
                    action();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A bug must cost one IKE SA, never the daemon: it ends here, loudly.
                    EngineLog.InternalError(sa.Logger, e);
                    sa.Terminate($"internal error: {e.GetType().Name}: {e.Message}", TerminationCause.Failed);
                }
            }

            effects = sa.TakeEffects();
        }

        if (sa.State == IkeSaState.Established && sa.IsOriginalInitiator)
        {
            _attempts[sa.Tunnel.Name] = 0;
        }

        if (!sa.IsHalfOpen && sa.HalfOpenKey.Remote is not null)
        {
            _halfOpen.TryRemove(new KeyValuePair<(ulong, IPEndPoint), IkeSa>(sa.HalfOpenKey, sa));
        }

        if (sa.State == IkeSaState.Dead)
        {
            Reap(sa, effects);
        }
        else if (sa.InitialContactReceived)
        {
            sa.InitialContactReceived = false;
            foreach (var stale in _sas.Values.Where(s => s != sa && s.Tunnel.Name == sa.Tunnel.Name && s.PeerIdentity is { } id && id.Matches(sa.PeerIdentity!.Value)))
            {
                effects.AddRange(Run(stale, () => stale.Terminate("replaced: peer sent INITIAL_CONTACT", TerminationCause.DeletedByPeer)));
            }
        }

        return effects;
    }

    private void Reap(IkeSa sa, List<EngineEffect> effects)
    {
        _sas.TryRemove(sa.LocalSpi, out _);
        if (sa.HalfOpenKey.Remote is not null)
        {
            _halfOpen.TryRemove(new KeyValuePair<(ulong, IPEndPoint), IkeSa>(sa.HalfOpenKey, sa));
        }
        var tunnel = sa.Tunnel;
        var wanted = _wanted.GetValueOrDefault(tunnel.Name);
        var wasUp = sa.EstablishedAt is not null;
        sa.Dispose();

        if (_restartAfterClose.ContainsKey(tunnel.Name) && !_sas.Values.Any(s => s.Tunnel.Name == tunnel.Name)
            && _restartAfterClose.TryRemove(tunnel.Name, out _) && _context.FindTunnel(tunnel.Name) is { } reloaded)
        {
            // A reload changed this tunnel: its old SAs are gone, so start it as now configured.
            effects.AddRange(ApplyStartAction(reloaded));
            return;
        }

        if (wasUp && sa.Cause == TerminationCause.PeerUnresponsive && tunnel.DpdAction == DpdAction.Trap)
        {
            // dpd_action=trap: wait for traffic to the peer, then re-establish on demand.
            _wanted[tunnel.Name] = false;
            effects.Add(InstallTrapPolicies.For(tunnel));
            return;
        }

        var canInitiate = tunnel.LocalAddress is not null && !tunnel.RemoteAddresses.IsEmpty;
        if (wasUp && sa.Cause == TerminationCause.PeerUnresponsive && tunnel.DpdAction == DpdAction.Restart && canInitiate)
        {
            // dpd_action=restart: re-establish at once, then keep retrying while the peer is away.
            _wanted[tunnel.Name] = true;
            _attempts[tunnel.Name] = 0;
            effects.AddRange(Initiate(tunnel.Name));
            return;
        }

        if (!wanted || wasUp || !sa.IsOriginalInitiator || sa.Cause == TerminationCause.Local)
        {
            return;
        }

        var attempts = _attempts.GetValueOrDefault(tunnel.Name);
        if (tunnel.KeyingTries != 0 && attempts >= tunnel.KeyingTries)
        {
            _wanted[tunnel.Name] = false;
            effects.Add(new TunnelStateChanged(tunnel.Name, TunnelState.Down, $"giving up after {attempts} attempts (keyingtries={tunnel.KeyingTries})"));
            return;
        }

        var delay = TimeSpan.FromTicks(Math.Min(Options.MaxReconnectDelay.Ticks, Options.ReconnectDelay.Ticks << Math.Min(attempts - 1, 16)));
        EngineLog.ReconnectScheduled(_context.Logger, tunnel.Name, delay, tunnel.KeyingTries == 0 ? "unlimited" : $"{tunnel.KeyingTries - attempts}");
        effects.Add(new ArmTimer(new TimerKey(0, tunnel.Name, TimerKind.Reconnect), delay));
    }

    /// <summary>§2.6: cookie = version | HMAC(secret, Ni | IPi | SPIi), verifiable without keeping state.</summary>
    private byte[] MakeCookie(IkeMessage request, IPEndPoint remote)
    {
        var nonce = request.Find<NoncePayload>()!.Data.Span;
        var input = new byte[nonce.Length + 16 + 8];
        nonce.CopyTo(input);
        remote.Address.TryWriteBytes(input.AsSpan(nonce.Length), out _);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(nonce.Length + 16), request.Header.InitiatorSpi);
        return [CookieVersion, .. HMACSHA256.HashData(_cookieSecret, input)];
    }

    private bool CookieIsValid(IkeMessage request, IPEndPoint remote)
        => request.Payloads.FirstOrDefault() is NotifyPayload { NotifyType: NotifyType.COOKIE } cookie
            && CryptographicOperations.FixedTimeEquals(cookie.Data.Span, MakeCookie(request, remote));

    private SendDatagram CookieResponse(IkeMessage request, IPEndPoint local, IPEndPoint remote)
    {
        var response = new IkeMessage(
            IkeHeader.Create(request.Header.InitiatorSpi, 0, ExchangeType.IKE_SA_INIT, IkeHeaderFlags.Response, 0),
            [NotifyPayload.Create(NotifyType.COOKIE, MakeCookie(request, remote))]);
        return new SendDatagram(local, remote, response.Encode());
    }

    private ulong NewSpi()
    {
        while (true)
        {
            var spi = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
            if (spi != 0 && !_sas.ContainsKey(spi))
            {
                return spi;
            }
        }
    }

    private void Drop(IPEndPoint remote, string reason) => EngineLog.Dropped(_context.Logger, remote, reason);
}
