using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Sa;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Engine.Tunnels;

/// <summary>
/// The one owner of a tunnel: every input of the tunnel and of its IKE SAs (datagrams, timers,
/// datapath events and install outcomes, control commands, reloads) is posted here and handled one
/// at a time, in arrival order, on whatever thread-pool thread the scheduler lends it; the effects
/// an input produced are handed to the host, in order, before the next input. An install's outcome
/// is that next input. Thousands of tunnels run in parallel without a thread of their own.
/// <para>
/// A responder's half-open IKE SA is owned by a provisional tunnel of its own until IKE_AUTH says
/// which configured tunnel it belongs to; it then moves there (<see cref="SaAdopted"/>). So a flood of
/// IKE_SA_INIT, and each handshake's DH and signature work, never waits behind an established tunnel.
/// </para>
/// </summary>
internal sealed partial class Tunnel : IThreadPoolWorkItem
{
    /// <summary>Inputs handled before the owner gives its thread back, so that one busy tunnel cannot starve the others.</summary>
    private const int Batch = 32;

    private readonly IkeEngine _engine;
    private readonly EngineContext _context;
    private readonly Lock _gate = new();
    private readonly Queue<TunnelInput> _inbox = new();
    private readonly Queue<TunnelInput> _followUps = new();
    private readonly List<EngineEffect> _effects = [];
    private readonly HashSet<IkeSa> _touched = [];
    private readonly Dictionary<uint, IkeSa> _installing = [];
    private bool _scheduled;
    private int _queuedDatagrams;
    private Tunnel? _successor;

    private Tunnel(IkeEngine engine, EngineContext context, TunnelConfig config, bool provisional)
    {
        _engine = engine;
        _context = context;
        Config = config;
        IsProvisional = provisional;
        Logger = context.Loggers.CreateLogger("IkeSharp.Tunnel");
    }

    /// <summary>The owner of a configured tunnel.</summary>
    public static Tunnel Configured(IkeEngine engine, EngineContext context, TunnelConfig config) => new(engine, context, config, provisional: false);

    /// <summary>The owner of one half-open responder SA, until it is adopted by its tunnel.</summary>
    public static Tunnel Provisional(IkeEngine engine, EngineContext context, TunnelConfig candidate) => new(engine, context, candidate, provisional: true);

    public string Name => Config.Name;

    /// <summary>The configuration in force (a reload replaces it; each IKE SA keeps the one it was made with).</summary>
    public TunnelConfig Config { get; private set; }

    public bool IsProvisional { get; }

    public ILogger Logger { get; }

    /// <summary>The IKE SAs this tunnel owns (owner thread only).</summary>
    private List<IkeSa> Sas { get; } = [];

    /// <summary>Queues an input; safe from any thread. Inputs of a provisional tunnel whose SA moved on follow it.</summary>
    public void Post(TunnelInput input)
    {
        Tunnel? successor;
        lock (_gate)
        {
            successor = _successor;
            if (successor is null)
            {
                if (input is DatagramReceived)
                {
                    // A flood at a known SPI must not grow memory or delay this tunnel's timers and outcomes.
                    if (_queuedDatagrams >= _context.Options.TunnelQueueLimit)
                    {
                        _context.Statistics.CountQueueFull();
                        return;
                    }

                    _queuedDatagrams++;
                }

                _inbox.Enqueue(input);
                if (_scheduled)
                {
                    return;
                }

                _scheduled = true;
            }
        }

        if (successor is not null)
        {
            successor.Post(input);
            return;
        }

        _context.Scheduler.Schedule(this);
    }

    /// <summary>Adds a new IKE SA: on the owner thread, or for a provisional tunnel before anything is posted to it.</summary>
    public void Own(IkeSa sa) => Sas.Add(sa);

    /// <summary>A new IKE SA replacing <paramref name="old"/> in a rekey, registered under a fresh SPI of ours; owned once the rekey is done (<see cref="AdoptRekeyedSa"/>).</summary>
    public IkeSa CreateRekeyedSa(IkeSa old, bool initiator, ulong peerSpi) => _engine.CreateRekeyedSa(this, old, initiator, peerSpi);

    /// <summary>The rekey that made <paramref name="sa"/> completed: this tunnel owns it.</summary>
    public void AdoptRekeyedSa(IkeSa sa)
    {
        Sas.Add(sa);
        _touched.Add(sa);
    }

    /// <summary>The rekey that made <paramref name="sa"/> failed or was abandoned: it is forgotten.</summary>
    public void DiscardRekeyedSa(IkeSa sa)
    {
        _engine.Unregister(sa);
        sa.Dispose();
    }

    /// <summary>An input of one SA changed another (a rekey collision, a successor): it is settled too.</summary>
    public void Touch(IkeSa sa) => _touched.Add(sa);

    /// <summary>Collects an effect of the input being handled; the owner hands them to the host in order.</summary>
    public void Emit(EngineEffect effect) => _effects.Add(effect);

    /// <summary>Collects an install of <paramref name="sa"/>'s Child SA, whose outcome comes back to that SA as the next input.</summary>
    public void EmitInstall(IkeSa sa, ChildSaInstallation installation)
    {
        _installing[installation.InboundSpi] = sa;
        Emit(new InstallChildSa(installation));
    }

    void IThreadPoolWorkItem.Execute()
    {
        for (var i = 0; i < Batch; i++)
        {
            TunnelInput? input;
            lock (_gate)
            {
                if (!_inbox.TryDequeue(out input))
                {
                    _scheduled = false;
                    return;
                }

                if (input is DatagramReceived)
                {
                    _queuedDatagrams--;
                }
            }

            Process(input);
        }

        _context.Scheduler.Schedule(this); // more is waiting: queue behind the other tunnels
    }

    /// <summary>One input and everything it leads to: its effects, the install outcomes they return, reaping and handing over.</summary>
    private void Process(TunnelInput input)
    {
        Handle(input);
        while (true)
        {
            ApplyEffects();
            if (_followUps.TryDequeue(out var next))
            {
                Handle(next);
                continue;
            }

            Settle();
            if (_effects.Count == 0 && _followUps.Count == 0)
            {
                return;
            }
        }
    }

    private void Handle(TunnelInput input)
    {
        var sa = input switch
        {
            DatagramReceived d => d.Sa,
            InitRequestAccepted a => a.Sa,
            SaTimerFired t => t.Sa,
            ChildSaInstallCompleted c => c.Sa,
            ChildSaLifetimeReached l => l.Sa,
            SaAdopted a => a.Sa,
            _ => null,
        };

        if (sa is null)
        {
            HandleTunnelInput(input);
            return;
        }

        if (input is SaAdopted adopted)
        {
            Adopt(adopted.Sa);
            return;
        }

        if (sa.State == IkeSaState.Dead || !Sas.Contains(sa))
        {
            return; // queued before the SA ended: its keys may be gone
        }

        With(sa, () =>
        {
            switch (input)
            {
                case DatagramReceived d:
                    sa.Receive(d.Local, d.Remote, d.Datagram, d.Decoded);
                    break;
                case InitRequestAccepted a:
                    sa.ArmTimer(TimerKind.HalfOpenTimeout, _context.Options.HalfOpenTimeout);
                    sa.Receive(a.Local, a.Remote, a.Datagram, a.Request);
                    break;
                case SaTimerFired t:
                    sa.OnTimer(t.Kind, t.Generation);
                    break;
                case ChildSaInstallCompleted c:
                    sa.Tasks.OnInstallCompleted(c.InboundSpi, c.Result);
                    break;
                case ChildSaLifetimeReached l:
                    sa.OnChildLifetime(l.Spi, l.Hard);
                    break;
            }
        });
    }

    /// <summary>Runs <paramref name="action"/> on one IKE SA in its log scope; a bug costs that SA, never the daemon.</summary>
    private void With(IkeSa sa, Action action)
    {
        _touched.Add(sa);
        using (sa.BeginLogScope())
        {
            try
            {
                action();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                EngineLog.InternalError(sa.Logger, e);
                sa.Terminate($"internal error: {e.GetType().Name}: {e.Message}", TerminationCause.Failed);
            }
        }
    }

    /// <summary>Hands the collected effects to the host in order; an install's outcome becomes the next input.</summary>
    private void ApplyEffects()
    {
        for (var i = 0; i < _effects.Count; i++)
        {
            var effect = _effects[i];
            try
            {
                if (effect is ShutdownCompleted completed)
                {
                    completed.Done.TrySetResult();
                }
                else if (effect is InstallChildSa install)
                {
                    var spi = install.Installation.InboundSpi;
                    var result = _context.Host.Install(install.Installation);
                    if (_installing.Remove(spi, out var sa))
                    {
                        _followUps.Enqueue(new ChildSaInstallCompleted(sa, spi, result));
                    }
                }
                else
                {
                    _context.Host.Apply(effect);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                EngineLog.EffectFailed(Logger, effect.GetType().Name, e.Message);
            }
        }

        _effects.Clear();
    }

    /// <summary>After an input: dead SAs reaped, authenticated half-open ones handed to their tunnel, status published.</summary>
    private void Settle()
    {
        foreach (var sa in _touched.ToList())
        {
            if (sa.State == IkeSaState.Dead)
            {
                Reap(sa);
                continue;
            }

            _engine.LeaveHalfOpen(sa);
            if (IsProvisional && !sa.IsHalfOpen && !sa.Tasks.IsAnswering)
            {
                HandOver(sa);
                continue;
            }

            if (sa.IsOriginalInitiator && sa.State == IkeSaState.Established)
            {
                _attempts = 0;
                _reauthTarget = null;
            }

            if (sa.Reauthenticates is not null)
            {
                CompleteReauthentication(sa);
            }

            if (sa.State == IkeSaState.Established && !sa.Replaced && sa.Children.Count > 0)
            {
                ReleaseHeldPolicies();
            }

            CheckReauthenticationTwin(sa);

            sa.PublishStatus();
        }

        _touched.Clear();
    }

    /// <summary>The SA authenticated its peer as one of <see cref="Tunnel"/>s: it moves there, with whatever is queued for it.</summary>
    private void HandOver(IkeSa sa)
    {
        sa.PublishStatus();
        var target = _engine.FindTunnel(sa.Tunnel.Name);
        if (target is null)
        {
            With(sa, () => sa.Delete($"tunnel '{sa.Tunnel.Name}' was removed by a reload"));
            return;
        }

        // From here on every input of this provisional tunnel follows the SA, behind the adoption;
        // the target takes the SA over (sa.Owner) when it handles that, not before.
        Sas.Remove(sa);
        lock (_gate)
        {
            _successor = target;
            target.Post(new SaAdopted(sa));
            while (_inbox.TryDequeue(out var queued))
            {
                target.Post(queued);
            }

            _queuedDatagrams = 0;
        }
    }

    private void Reap(IkeSa sa)
    {
        Sas.Remove(sa);
        _engine.Unregister(sa);
        var wasUp = sa.EstablishedAt is not null;
        sa.Dispose();
        if (!IsProvisional)
        {
            OnSaEnded(sa, wasUp);
        }
    }

    private void Adopt(IkeSa sa)
    {
        sa.Owner = this;
        Sas.Add(sa);
        _touched.Add(sa);
        if (_removed || !TunnelConfigEquivalence.EquivalentForSas(sa.Tunnel, Config))
        {
            // A reload changed or removed the tunnel while this SA authenticated with the old settings.
            With(sa, () => sa.Delete(_removed ? $"tunnel '{Name}' was removed by a reload" : $"tunnel '{Name}' was changed by a reload"));
            return;
        }

        if (sa.InitialContactReceived)
        {
            sa.InitialContactReceived = false;
            foreach (var stale in Sas.Where(s => s != sa && s.PeerIdentity is { } id && id.Matches(sa.PeerIdentity!.Value)).ToList())
            {
                With(stale, () => stale.Terminate("replaced: peer sent INITIAL_CONTACT", TerminationCause.DeletedByPeer));
            }
        }
    }
}
