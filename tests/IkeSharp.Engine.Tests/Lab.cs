using System.Collections.Concurrent;
using System.Net;
using System.Text;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace IkeSharp.Engine.Tests;

/// <summary>One engine in the lab, with what its host and datapath were asked to do, in order.</summary>
internal sealed class Node(Lab lab, string name, IPAddress address) : IEngineHost
{
    private uint _nextReqId;

    public string Name { get; } = name;

    public IPAddress Address { get; } = address;

    public IkeEngine Engine { get; set; } = null!;

    /// <summary>Every effect and install, in the order the host got them.</summary>
    public List<EngineEffect> Effects { get; } = [];

    public List<ChildSaInstallation> Installed { get; } = [];

    public List<RemoveChildSa> Removed { get; } = [];

    public List<TunnelStateChanged> States { get; } = [];

    public List<InstallTrapPolicies> Traps { get; } = [];

    /// <summary>Policies held while the tunnel is between IKE SAs (<see cref="InstallTrapPolicies.Hold"/>).</summary>
    public List<InstallTrapPolicies> Held { get; } = [];

    public List<UpdateChildSaEndpoints> EndpointUpdates { get; } = [];

    public List<SendDatagram> Sent { get; } = [];

    public Dictionary<TimerKey, (DateTimeOffset Due, long Generation)> Timers { get; } = [];

    public bool Online { get; set; } = true;

    /// <summary>Return a reason to make the datapath refuse an install.</summary>
    public Func<ChildSaInstallation, string?> RefuseInstall { get; set; } = _ => null;

    public void Apply(EngineEffect effect) => lab.Apply(this, effect);

    public ChildSaInstallResult Install(ChildSaInstallation installation)
    {
        Effects.Add(new InstallChildSa(installation));
        if (RefuseInstall(installation) is { } reason)
        {
            installation.Dispose();
            return ChildSaInstallResult.Refused(reason);
        }

        Installed.Add(installation);
        return ChildSaInstallResult.Installed(installation.ReqId != 0 ? installation.ReqId : ++_nextReqId);
    }
}

/// <summary>Runs tunnel owners on the test's thread, first scheduled first, when the lab pumps.</summary>
internal sealed class ManualScheduler : IEngineScheduler
{
    private readonly ConcurrentQueue<IThreadPoolWorkItem> _work = new();

    public void Schedule(IThreadPoolWorkItem work) => _work.Enqueue(work);

    /// <summary>Runs everything scheduled, including what that schedules; false when there was nothing.</summary>
    public bool RunAll()
    {
        var ran = false;
        while (_work.TryDequeue(out var work))
        {
            work.Execute();
            ran = true;
        }

        return ran;
    }
}

/// <summary>
/// Two IKE engines wired back to back in memory with a fake clock: datagrams are delivered in
/// order, timers fire when the clock reaches them, and a filter can lose datagrams. The trace
/// records every message each side sent, in strongSwan notation, so tests read like RFC diagrams.
/// </summary>
internal sealed class Lab
{
    private readonly Queue<(Node From, SendDatagram Datagram)> _inFlight = new();
    private readonly TraceLoggerProvider _trace = new();

    public Lab(Func<TunnelConfig, TunnelConfig>? alice = null, Func<TunnelConfig, TunnelConfig>? bob = null, Func<EngineOptions, EngineOptions>? bobOptions = null, Func<EngineOptions, EngineOptions>? aliceOptions = null)
    {
        Alice = CreateNode("alice", IPAddress.Parse("192.0.2.1"), alice?.Invoke(DefaultTunnel(initiator: true)) ?? DefaultTunnel(initiator: true), aliceOptions ?? (o => o));
        Bob = CreateNode("bob", IPAddress.Parse("192.0.2.2"), bob?.Invoke(DefaultTunnel(initiator: false)) ?? DefaultTunnel(initiator: false), bobOptions ?? (o => o));
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public Node Alice { get; }

    public Node Bob { get; }

    /// <summary>Messages sent, as "alice: IKE_SA_INIT request 0 [ ... ]".</summary>
    public IReadOnlyList<string> Trace => _trace.Sent;

    /// <summary>Every log line, for failure diagnostics in assertions.</summary>
    public IReadOnlyList<string> Log => _trace.Lines;

    public void AssertLogged(Func<string, bool> predicate)
        => Assert.True(Log.Any(predicate), "no matching log line in:\n" + string.Join("\n", Log));

    public void AssertNotLogged(Func<string, bool> predicate)
        => Assert.False(Log.Any(predicate), "unexpected log line: " + Log.FirstOrDefault(predicate));

    /// <summary>Put alice behind a NAT that maps her to <see cref="NatAddress"/> and shifts her ports.</summary>
    public bool AliceBehindNat { get; init; }

    public static readonly IPAddress NatAddress = IPAddress.Parse("203.0.113.5");

    /// <summary>How the NAT shifts alice's ports; changing it mid-run is a NAT rebinding.</summary>
    public int NatPortOffset { get; set; } = 10000;

    /// <summary>Return true to lose a datagram on the way.</summary>
    public Func<Node, SendDatagram, bool> Lose { get; set; } = (_, _) => false;

    /// <summary>Return true to hold a datagram back until <see cref="Release"/>: a late message.</summary>
    public Func<Node, SendDatagram, bool> Hold { get; set; } = (_, _) => false;

    private readonly List<(Node From, SendDatagram Datagram)> _held = [];

    /// <summary>Puts the held datagrams back on the wire, in the order they were sent.</summary>
    public void Release()
    {
        Hold = (_, _) => false;
        foreach (var item in _held)
        {
            _inFlight.Enqueue(item);
        }

        _held.Clear();
    }

    /// <summary>Fires the node's timer of <paramref name="kind"/> now, as if it had expired (the clock moves to its due time if that is later).</summary>
    public void Expire(Node node, TimerKind kind)
    {
        var due = node.Timers.Single(t => t.Key.Kind == kind).Value.Due;
        if (due > Time.GetUtcNow())
        {
            Time.SetUtcNow(due);
        }

        Fire(node, kind);
    }

    /// <summary>Fires the node's timer of <paramref name="kind"/> now, ahead of time, without moving the clock (when it has one such timer).</summary>
    public static void Fire(Node node, TimerKind kind)
    {
        var (key, (_, generation)) = node.Timers.Single(t => t.Key.Kind == kind);
        node.Timers.Remove(key);
        node.Engine.OnTimer(key, generation);
    }

    /// <summary>Engine options under which alice, once her tunnel went down, waits an hour before she brings it up again.</summary>
    public static EngineOptions SlowToReconnect(EngineOptions options) => options with { ReconnectDelay = TimeSpan.FromHours(1) };

    public static readonly byte[] Psk = Encoding.UTF8.GetBytes("lab-psk-0123456789abcdef");

    public static TunnelConfig DefaultTunnel(bool initiator)
    {
        var (local, remote) = initiator ? ("192.0.2.1", "192.0.2.2") : ("192.0.2.2", "192.0.2.1");
        var (localNet, remoteNet) = initiator ? ("10.1.0.0/24", "10.2.0.0/24") : ("10.2.0.0/24", "10.1.0.0/24");
        return new TunnelConfig
        {
            Name = "net",
            LocalAddress = IPAddress.Parse(local),
            RemoteAddresses = [IPAddress.Parse(remote)],
            LocalIdentity = Identity.Parse(initiator ? "alice.lab.example" : "bob.lab.example"),
            RemoteIdentity = Identity.Parse(initiator ? "bob.lab.example" : "alice.lab.example"),
            LocalAuth = AuthConfig.Psk(Psk),
            RemoteAuth = AuthConfig.Psk(Psk),
            IkeProposals = ProposalSyntax.Parse("aes256-sha256-modp2048", ProtocolId.IKE),
            Children = [new ChildConfig("net", [TrafficSelectorNarrowing.FromPrefix(localNet)], [TrafficSelectorNarrowing.FromPrefix(remoteNet)], ProposalSyntax.Parse("aes256gcm16", ProtocolId.ESP))],
            StartAction = initiator ? StartAction.Start : StartAction.None,
        };
    }

    public Node Peer(Node node) => node == Alice ? Bob : Alice;

    public ManualScheduler Scheduler { get; } = new();

    public void Apply(Node node, EngineEffect effect)
    {
        node.Effects.Add(effect);
        switch (effect)
        {
            case SendDatagram send:
                node.Sent.Add(send);
                _inFlight.Enqueue((node, send));
                break;
            case InstallTrapPolicies trap:
                (trap.Hold ? node.Held : node.Traps).Add(trap);
                break;
            case UpdateChildSaEndpoints update:
                node.EndpointUpdates.Add(update);
                break;
            case ArmTimer arm:
                node.Timers[arm.Timer] = (Time.GetUtcNow() + arm.Delay, arm.Generation);
                break;
            case CancelTimer cancel:
                node.Timers.Remove(cancel.Timer);
                break;
            case RemoveChildSa remove:
                node.Removed.Add(remove);
                break;
            case TunnelStateChanged state:
                node.States.Add(state);
                break;
        }
    }

    /// <summary>Lets both engines' owners handle what was posted to them, without delivering datagrams or moving the clock.</summary>
    public void Pump() => Scheduler.RunAll();

    /// <summary>Delivers datagrams and fires timers until nothing is left or <paramref name="duration"/> has passed.</summary>
    public void Run(TimeSpan duration)
    {
        var end = Time.GetUtcNow() + duration;
        while (true)
        {
            Pump();
            if (_inFlight.TryDequeue(out var item))
            {
                var to = Peer(item.From);
                var (local, remote) = (item.Datagram.Remote, item.Datagram.Local);
                if (AliceBehindNat && item.From == Alice)
                {
                    remote = new IPEndPoint(NatAddress, remote.Port + NatPortOffset); // SNAT of alice's packets
                }
                else if (AliceBehindNat && local.Address.Equals(NatAddress))
                {
                    local = new IPEndPoint(Alice.Address, local.Port - NatPortOffset); // and the way back
                }

                if (Hold(item.From, item.Datagram))
                {
                    _held.Add(item);
                    continue;
                }

                if (to.Online && item.From.Online && !Lose(item.From, item.Datagram) && local.Address.Equals(to.Address))
                {
                    to.Engine.Receive(local, remote, item.Datagram.Datagram);
                }

                continue;
            }

            var next = new[] { Alice, Bob }.SelectMany(n => n.Timers.Select(t => (Node: n, t.Key, t.Value.Due, t.Value.Generation))).OrderBy(t => t.Due).FirstOrDefault();
            if (next.Node is null || next.Due > end)
            {
                if (Time.GetUtcNow() < end)
                {
                    Time.SetUtcNow(end);
                }

                return;
            }

            if (next.Due > Time.GetUtcNow())
            {
                Time.SetUtcNow(next.Due);
            }

            next.Node.Timers.Remove(next.Key);
            if (next.Node.Online)
            {
                next.Node.Engine.OnTimer(next.Key, next.Generation);
            }
        }
    }

    /// <summary>Alice initiates her tunnel and the lab runs for a few seconds.</summary>
    public Lab Establish(TimeSpan? duration = null)
    {
        Alice.Engine.Start();
        Run(duration ?? TimeSpan.FromSeconds(2));
        return this;
    }

    private Node CreateNode(string name, IPAddress address, TunnelConfig tunnel, Func<EngineOptions, EngineOptions> options)
    {
        var node = new Node(this, name, address);
        node.Engine = new IkeEngine(options(new EngineOptions { Tunnels = [tunnel] }), Time, _trace.For(name), node, scheduler: Scheduler);
        return node;
    }
}

/// <summary>Collects log lines and, from the "sending" events, the message trace.</summary>
internal sealed class TraceLoggerProvider
{
    private readonly ConcurrentQueue<string> _sent = new();
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Sent => [.. _sent];

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILoggerFactory For(string node) => new Factory(this, node);

    private sealed class Factory(TraceLoggerProvider owner, string node) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new Logger(owner, node);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }

    private sealed class Logger(TraceLoggerProvider owner, string node) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner._lines.Enqueue($"{node}: {formatter(state, exception)}{(exception is null ? "" : $" {exception}")}");
            if (eventId.Id is 1 or 3 && state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                var retransmit = eventId.Id == 3 ? $" (retransmit {values.First(v => v.Key == "Attempt").Value})" : "";
                owner._sent.Enqueue($"{node}: {values.First(v => v.Key == "Summary").Value}{retransmit}");
            }
        }
    }
}
