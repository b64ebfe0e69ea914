using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Engine.Sa;
using IkeSharp.Engine.Tunnels;
using IkeSharp.Protocol;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Engine;

/// <summary>
/// The IKE engine's front door: finds the IKE SA of each datagram by SPI (O(1)), turns a new peer's
/// IKE_SA_INIT into a responder SA (behind a COOKIE when too many are half-open, RFC 7296 §2.6), and
/// posts everything else — timers, datapath events, control commands, reloads — to the one owner of
/// the tunnel concerned (<see cref="Tunnel"/>), which handles it in order and hands its effects to
/// the <see cref="IEngineHost"/>. It performs no I/O and reads time only from its
/// <see cref="TimeProvider"/>. Every method may be called from any thread and returns at once.
/// </summary>
public sealed class IkeEngine
{
    private readonly EngineContext _context;
    private readonly ConcurrentDictionary<ulong, IkeSa> _sas = new();
    private readonly ConcurrentDictionary<InitKey, IkeSa> _inits = new();
    private readonly ConcurrentDictionary<string, Tunnel> _tunnels = new();
    private readonly Lock _reconfiguring = new();
    private readonly HalfOpenAdmission _admission;
    private readonly RateLimitedEvent _cookiesSent = new(TimeSpan.FromSeconds(10));
    private readonly RateLimitedEvent _blocked = new(TimeSpan.FromSeconds(10));
    private readonly RateLimitedEvent _overLimit = new(TimeSpan.FromSeconds(10));

    /// <param name="spis">Where inbound ESP SPIs come from: the datapath (default: random ones).</param>
    /// <param name="scheduler">Where tunnel owners run (default: the thread pool).</param>
    public IkeEngine(EngineOptions options, TimeProvider time, ILoggerFactory loggers, IEngineHost host, IChildSpiSource? spis = null, IEngineScheduler? scheduler = null)
    {
        _context = new EngineContext(time, loggers, spis ?? new RandomChildSpiSource(), options, host, scheduler ?? ThreadPoolEngineScheduler.Instance);
        _admission = new HalfOpenAdmission(_context);
        foreach (var tunnel in options.Tunnels)
        {
            _tunnels[tunnel.Name] = Tunnel.Configured(this, _context, tunnel);
        }
    }

    public EngineStatistics Statistics => _context.Statistics;

    public EngineOptions Options => _context.Options;

    /// <summary>Responder SAs that have not finished IKE_AUTH (what the COOKIE threshold counts).</summary>
    internal int HalfOpenCount => _admission.Count;

    /// <summary>Applies start actions: initiates <see cref="StartAction.Start"/> tunnels and installs trap policies for <see cref="StartAction.Trap"/> ones.</summary>
    public void Start()
    {
        foreach (var tunnel in Options.Tunnels)
        {
            _tunnels[tunnel.Name].Post(new StartRequested());
        }
    }

    /// <summary>
    /// Reload: switches to <paramref name="options"/>. Tunnels whose configuration did not change
    /// keep their SAs untouched, as do those that changed only in close_action, make_before_break or
    /// keyingtries (which apply from then on); changed tunnels are closed with DELETE and started again by their
    /// new start action once closed; removed tunnels are closed; new ones are started.
    /// </summary>
    public Reconfiguration Reconfigure(EngineOptions options)
    {
        lock (_reconfiguring)
        {
            var old = Options;
            _context.Options = options;
            var unchanged = new List<string>();
            var updated = new List<string>();
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

                if (replacement is not null && TunnelConfigEquivalence.EquivalentForSas(tunnel, replacement))
                {
                    updated.Add(tunnel.Name);
                    _tunnels[tunnel.Name].Post(new Reconfigured(replacement, InPlace: true));
                    continue;
                }

                (replacement is null ? removed : changed).Add(tunnel.Name);
                _tunnels[tunnel.Name].Post(new Reconfigured(replacement));
            }

            var added = options.Tunnels.Where(t => old.Tunnels.All(o => o.Name != t.Name)).ToList();
            foreach (var tunnel in added)
            {
                // A name removed by an earlier reload keeps its owner (its SAs may still be closing).
                if (_tunnels.TryGetValue(tunnel.Name, out var owner))
                {
                    owner.Post(new Reconfigured(tunnel));
                }
                else
                {
                    owner = _tunnels[tunnel.Name] = Tunnel.Configured(this, _context, tunnel);
                    owner.Post(new StartRequested());
                }
            }

            return new Reconfiguration([.. unchanged], [.. changed], [.. added.Select(t => t.Name)], [.. removed]) { Updated = [.. updated] };
        }
    }

    /// <summary>Brings a tunnel up (and keeps it up, retrying per its keyingtries).</summary>
    /// <exception cref="ArgumentException">No tunnel has that name.</exception>
    /// <exception cref="InvalidOperationException">The tunnel lacks the addresses to initiate.</exception>
    public void Initiate(string tunnelName)
    {
        var tunnel = _context.FindTunnel(tunnelName) ?? throw new ArgumentException($"no tunnel named '{tunnelName}'", nameof(tunnelName));
        if (tunnel.LocalAddress is null || tunnel.RemoteAddresses.IsEmpty)
        {
            throw new InvalidOperationException($"tunnel '{tunnel.Name}' cannot initiate: it needs a local address and a remote address");
        }

        _tunnels[tunnel.Name].Post(new UpRequested());
    }

    /// <summary>Rekeys a tunnel that is up: its IKE SA (<paramref name="ike"/>), or its Child SAs named <paramref name="child"/> (null: every one).</summary>
    /// <exception cref="ArgumentException">No tunnel, or no child of it, has that name.</exception>
    /// <exception cref="InvalidOperationException">The tunnel is not up.</exception>
    public void Rekey(string tunnelName, string? child, bool ike)
    {
        var tunnel = _context.FindTunnel(tunnelName) ?? throw new ArgumentException($"no tunnel named '{tunnelName}'", nameof(tunnelName));
        if (child is not null && tunnel.Children.All(c => c.Name != child))
        {
            throw new ArgumentException($"tunnel '{tunnelName}' has no child '{child}'; its children: {string.Join(", ", tunnel.Children.Select(c => c.Name))}", nameof(child));
        }

        if (!GetStatus().Any(s => s.Tunnel == tunnelName && s.State == IkeSaState.Established))
        {
            throw new InvalidOperationException($"tunnel '{tunnelName}' is not up: nothing to rekey ('ikesharp up {tunnelName}' brings it up)");
        }

        _tunnels[tunnel.Name].Post(new RekeyRequested(child, ike));
    }

    /// <summary>Closes a tunnel with DELETE and stops retrying it.</summary>
    /// <exception cref="ArgumentException">No tunnel has that name.</exception>
    public void Terminate(string tunnelName)
    {
        if (_context.FindTunnel(tunnelName) is null || !_tunnels.TryGetValue(tunnelName, out var tunnel))
        {
            throw new ArgumentException($"no tunnel named '{tunnelName}'", nameof(tunnelName));
        }

        tunnel.Post(new DownRequested());
    }

    /// <summary>Graceful stop: DELETE for every IKE SA, then everything removed locally; completes once the effects are carried out.</summary>
    public Task Shutdown()
    {
        var owners = _tunnels.Values.Concat(_sas.Values.Select(sa => sa.Owner)).Distinct().ToList();
        var done = new List<Task>(owners.Count);
        foreach (var owner in owners)
        {
            var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            owner.Post(new ShutdownRequested(completion));
            done.Add(completion.Task);
        }

        return Task.WhenAll(done);
    }

    /// <summary>Something the datapath noticed: traffic for a trap (bring the tunnel up), a lifetime of a Child SA.</summary>
    public void OnDatapathEvent(DatapathEvent e)
    {
        switch (e)
        {
            case TrafficAcquired acquired when _tunnels.TryGetValue(acquired.Tunnel, out var tunnel):
                tunnel.Post(new TrafficHitTrap(acquired.Flow));
                break;
            case ChildSaExpired expired when _context.ChildSpis.TryGetValue(expired.Spi, out var sa):
                sa.Owner.Post(new ChildSaLifetimeReached(sa, expired.Spi, expired.Hard));
                break;
        }
    }

    /// <summary>Handles one UDP payload received on <paramref name="local"/> from <paramref name="remote"/>; the engine keeps it (no copy is made).</summary>
    public void Receive(IPEndPoint local, IPEndPoint remote, ReadOnlyMemory<byte> udpPayload)
    {
        var kind = UdpEncapsulation.Classify(udpPayload.Span, local.Port, out var offset);
        if (kind != UdpDatagramKind.Ike)
        {
            if (kind == UdpDatagramKind.Invalid)
            {
                Drop(remote, "too short for IKE");
                _context.Statistics.CountUndecodable();
            }

            return; // keepalives are for the NAT; ESP is the datapath's
        }

        var datagram = udpPayload[offset..];
        if (!IkeHeader.TryRead(datagram.Span, out var header, out var headerError))
        {
            _context.Statistics.CountUndecodable();
            Drop(remote, headerError.ToString());
            return;
        }

        var ourSpi = header.FromOriginalInitiator ? header.ResponderSpi : header.InitiatorSpi;
        if (ourSpi == 0 && header.ExchangeType == ExchangeType.IKE_SA_INIT && !header.IsResponse)
        {
            AcceptInit(datagram, local, remote);
            return;
        }

        if (!_sas.TryGetValue(ourSpi, out var sa))
        {
            _context.Statistics.CountUnknownSpi();
            Drop(remote, $"no IKE SA with SPI {ourSpi:x16}");
            return;
        }

        sa.Owner.Post(new DatagramReceived(sa, local, remote, datagram));
    }

    /// <summary>A timer armed by an <see cref="ArmTimer"/> effect expired.</summary>
    public void OnTimer(TimerKey key, long generation)
    {
        if (key.LocalSpi == 0)
        {
            if (_tunnels.TryGetValue(key.Tunnel, out var tunnel))
            {
                tunnel.Post(new TunnelTimerFired(key.Kind, generation));
            }
        }
        else if (_sas.TryGetValue(key.LocalSpi, out var sa))
        {
            sa.Owner.Post(new SaTimerFired(sa, key.Kind, generation));
        }
    }

    /// <summary>Status of every IKE SA, as each owner last published it.</summary>
    public IReadOnlyList<IkeSaStatus> GetStatus()
        => [.. _sas.Values.OrderBy(sa => sa.Serial).Select(sa => sa.Status).Where(s => s.State != IkeSaState.Dead)];

    /// <summary>
    /// Whether another tunnel has an IKE SA up between the same identities as <paramref name="sa"/>'s
    /// (or, without an identity to expect, with the same peer address): INITIAL_CONTACT would make
    /// the peer delete that one too (RFC 7296 §2.4). Reads the published snapshots.
    /// </summary>
    internal bool PeerHasSaOfAnotherTunnel(IkeSa sa)
    {
        var local = sa.Tunnel.LocalIdentity.ToString();
        var peer = sa.ExpectedPeerIdentity?.ToString();
        return _sas.Values.Select(other => other.Status).Any(s => s.Tunnel != sa.Tunnel.Name && s.State == IkeSaState.Established && s.LocalIdentity == local
            && (peer is not null ? s.RemoteIdentity == peer : s.Remote.Address.Equals(sa.Remote.Address)));
    }

    internal static bool AddressesMatch(TunnelConfig tunnel, IPEndPoint local, IPEndPoint remote)
        => (tunnel.LocalAddress is null || tunnel.LocalAddress.Equals(local.Address))
            && (tunnel.RemoteAddresses.IsEmpty || tunnel.RemoteAddresses.Contains(remote.Address));

    internal Tunnel? FindTunnel(string name) => _tunnels.GetValueOrDefault(name);

    /// <summary>The IKE SA with our SPI <paramref name="localSpi"/> (tests and the fuzzing harness).</summary>
    internal IkeSa? FindSa(ulong localSpi) => _sas.GetValueOrDefault(localSpi);

    /// <summary>A new IKE SA we initiate for <paramref name="owner"/>, registered under a fresh SPI.</summary>

    internal IkeSa CreateInitiatorSa(Tunnel owner, TunnelConfig tunnel, IPEndPoint local, IPEndPoint remote)
        => Register(spi => new IkeSa(_context, owner, tunnel, originalInitiator: true, spi, 0, local, remote));

    /// <summary>The new IKE SA of a rekey of <paramref name="old"/> (§2.18), registered under a fresh SPI of ours; the rekey's initiator is its original initiator.</summary>
    internal IkeSa CreateRekeyedSa(Tunnel owner, IkeSa old, bool initiator, ulong peerSpi)
    {
        var sa = Register(spi => new IkeSa(_context, owner, old.Tunnel, originalInitiator: initiator, initiator ? spi : peerSpi, initiator ? 0 : spi, old.Local, old.Remote));
        sa.InheritFrom(old);
        return sa;
    }

    /// <summary>Makes an SA with a fresh SPI of ours (given to <paramref name="create"/>) and registers it under that SPI.</summary>
    private IkeSa Register(Func<ulong, IkeSa> create)
    {
        while (true)
        {
            var sa = create(NewSpi());
            if (_sas.TryAdd(sa.LocalSpi, sa))
            {
                return sa;
            }

            sa.Dispose();
        }
    }

    /// <summary>The SA is no longer half-open (authenticated, or gone): it stops counting toward the COOKIE threshold.</summary>
    internal void LeaveHalfOpen(IkeSa sa)
    {
        if (!sa.IsHalfOpen && sa.StopCountingAsHalfOpen() is { } source)
        {
            _admission.Leave(source);
        }
    }

    /// <summary>Forgets a dead SA: no datagram, timer or datapath event reaches it any more.</summary>
    internal void Unregister(IkeSa sa)
    {
        _sas.TryRemove(new KeyValuePair<ulong, IkeSa>(sa.LocalSpi, sa));
        if (sa.StopCountingAsHalfOpen() is { } source)
        {
            _admission.Leave(source);
        }

        if (sa.InitKey is { } key)
        {
            _inits.TryRemove(new KeyValuePair<InitKey, IkeSa>(key, sa));
        }
    }

    /// <summary>
    /// An IKE_SA_INIT request with no responder SPI: a retransmission of one we know (same initiator
    /// SPI, address and nonce) goes to its SA, whose owner answers it again with the same response —
    /// also while that response is still being computed; a new one makes a responder SA owned by a
    /// provisional tunnel of its own.
    /// </summary>
    private void AcceptInit(ReadOnlyMemory<byte> datagram, IPEndPoint local, IPEndPoint remote)
    {
        if (!IkeMessage.TryDecode(datagram, out var request, out var error) || MessageRules.Check(request) is { } _)
        {
            _context.Statistics.CountUndecodable();
            Drop(remote, request is null ? error.ToString() : "IKE_SA_INIT request breaks the message rules");
            return;
        }

        var key = new InitKey(request.Header.InitiatorSpi, remote, Convert.ToHexString(request.Find<NoncePayload>()!.Data.Span));
        if (_inits.TryGetValue(key, out var known))
        {
            known.Owner.Post(new DatagramReceived(known, local, remote, datagram, request));
            return;
        }

        var tunnel = Options.Tunnels.FirstOrDefault(t => AddressesMatch(t, local, remote));
        if (tunnel is null)
        {
            _context.Statistics.CountUnexpected();
            Drop(remote, $"no tunnel accepts IKE from {remote.Address} to {local.Address}");
            return;
        }

        switch (_admission.Decide(request, remote, out var source, out var why))
        {
            case Admission.SendCookie:
                _context.Statistics.CountCookieSent();
                if (_cookiesSent.TryLog(_context.Now, out var unlogged))
                {
                    EngineLog.CookieSent(_context.Logger, remote, why, unlogged);
                }

                _context.Host.Apply(CookieResponse(request, local, remote)); // stateless: no owner involved
                return;
            case Admission.BlockedAddress:
                _context.Statistics.CountHalfOpenRefused();
                if (_blocked.TryLog(_context.Now, out unlogged))
                {
                    EngineLog.HalfOpenBlocked(_context.Logger, _admission.ProvenFrom(remote.Address), remote, Options.BlockThreshold, unlogged);
                }

                return;
            case Admission.OverLimit:
                _context.Statistics.CountHalfOpenRefused();
                if (_overLimit.TryLog(_context.Now, out unlogged))
                {
                    EngineLog.HalfOpenOverLimit(_context.Logger, HalfOpenCount, Options.HalfOpenLimit, remote, unlogged);
                }

                return;
        }

        var owner = Tunnel.Provisional(this, _context, tunnel);
        IkeSa sa;
        do
        {
            sa = new IkeSa(_context, owner, tunnel, originalInitiator: false, request.Header.InitiatorSpi, NewSpi(), local, remote) { InitKey = key };
        }
        while (!_sas.TryAdd(sa.LocalSpi, sa) && Discard(sa));

        if (!_inits.TryAdd(key, sa))
        {
            // The same request came in on another socket at the same moment: that SA answers it.
            _sas.TryRemove(new KeyValuePair<ulong, IkeSa>(sa.LocalSpi, sa));
            sa.Dispose();
            if (_inits.TryGetValue(key, out known))
            {
                known.Owner.Post(new DatagramReceived(known, local, remote, datagram, request));
            }

            return;
        }

        sa.CountAsHalfOpen(source);
        _admission.Enter(source);
        owner.Own(sa);
        owner.Post(new InitRequestAccepted(sa, local, remote, datagram, request));
    }

    private static bool Discard(IkeSa sa)
    {
        sa.Dispose();
        return true;
    }

    private SendDatagram CookieResponse(IkeMessage request, IPEndPoint local, IPEndPoint remote)
    {
        var response = new IkeMessage(
            IkeHeader.Create(request.Header.InitiatorSpi, 0, ExchangeType.IKE_SA_INIT, IkeHeaderFlags.Response, 0),
            [NotifyPayload.Create(NotifyType.COOKIE, _admission.MakeCookie(request, remote))]);
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

/// <summary>What identifies an IKE_SA_INIT request across retransmissions: the initiator's SPI, its address and its nonce.</summary>
internal readonly record struct InitKey(ulong InitiatorSpi, IPEndPoint Remote, string Nonce);
