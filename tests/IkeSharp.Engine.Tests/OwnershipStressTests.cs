using System.Collections.Concurrent;
using System.Net;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Sa;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Engine.Tests;

/// <summary>
/// One tunnel driven from several threads at once on the real thread pool and clock, with a lossy
/// wire: up, ACQUIRE, down, reloads and hard lifetimes racing the exchanges. Whatever interleaving
/// the machine picks, the invariants of ownership hold: never two IKE SAs we initiated for the
/// tunnel (besides one on its way out, its DELETE sent), every Child SA the datapath got removed
/// exactly once and after its install, and no SA ever handled after it ended (which would surface
/// as an internal error).
/// </summary>
public class OwnershipStressTests
{
    [Fact]
    public async Task One_tunnel_driven_from_many_threads_keeps_its_invariants()
    {
        var fast = new RetransmitPolicy(TimeSpan.FromMilliseconds(30), 1.5, 2);
        var x25519 = ProposalSyntax.Parse("aes128gcm16-prfsha256-x25519", Protocol.ProtocolId.IKE); // cheap DH: many lifetimes in a few seconds
        TunnelConfig Alice(TimeSpan dpd) => Lab.DefaultTunnel(initiator: true) with { IkeProposals = x25519, Retransmit = fast, DpdDelay = dpd, KeyingTries = 0 };
        var options = new EngineOptions
        {
            Tunnels = [Alice(TimeSpan.FromMilliseconds(80))],
            ReconnectDelay = TimeSpan.FromMilliseconds(5),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(40),
            HalfOpenTimeout = TimeSpan.FromMilliseconds(300),
        };
        var alice = new ThreadedNode("alice", IPAddress.Parse("192.0.2.1"), options);
        var bob = new ThreadedNode("bob", IPAddress.Parse("192.0.2.2"), options with { Tunnels = [Lab.DefaultTunnel(initiator: false) with { IkeProposals = x25519, Retransmit = fast }] });
        (alice.Peer, bob.Peer) = (bob, alice);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var violations = new ConcurrentQueue<string>();
        Task Run(Action<Random> step) => Task.Factory.StartNew(() =>
        {
            var random = new Random();
            while (!stop.IsCancellationRequested)
            {
                step(random);
                Thread.Sleep(random.Next(0, 3));
            }
        }, TaskCreationOptions.LongRunning);

        alice.Engine.Start();
        var drivers = new[]
        {
            Run(_ => alice.Engine.Initiate("net")),
            Run(_ => alice.Engine.OnDatapathEvent(new TrafficAcquired("net", "10.1.0.5 === 10.2.0.7"))),
            Run(r =>
            {
                if (r.Next(150) == 0)
                {
                    alice.Engine.Terminate("net");
                }
            }),
            Run(r =>
            {
                if (r.Next(600) == 0)
                {
                    alice.Engine.Reconfigure(options with { Tunnels = [Alice(TimeSpan.FromMilliseconds(r.Next(2) == 0 ? 80 : 90))] });
                }
            }),
            Run(r =>
            {
                if (r.Next(300) == 0 && alice.AnyInstalledSpi(r) is { } spi)
                {
                    alice.Engine.OnDatapathEvent(new ChildSaExpired(spi, Hard: true));
                }
            }),
            Run(_ =>
            {
                var mine = alice.Engine.GetStatus().Where(s => s.Initiator && s.State is not (IkeSaState.Dead or IkeSaState.Deleting)).ToList();
                if (mine.Count > 1)
                {
                    violations.Enqueue($"{mine.Count} IKE SAs initiated for one tunnel: {string.Join(", ", mine.Select(s => $"{s.InitiatorSpi} {s.State}"))}");
                }
            }),
        };
        await Task.WhenAll(drivers);

        // Quiesce: stop both engines until nothing is left (datagrams still on their way may start a half-open SA on bob).
        for (var i = 0; i < 50 && (alice.Engine.GetStatus().Count + bob.Engine.GetStatus().Count > 0 || i == 0); i++)
        {
            await Task.WhenAll(alice.Engine.Shutdown(), bob.Engine.Shutdown()).WaitAsync(TimeSpan.FromSeconds(10));
            await Task.Delay(20);
        }

        Assert.Empty(violations);
        Assert.Empty(alice.Engine.GetStatus());
        Assert.Empty(bob.Engine.GetStatus());
        foreach (var node in new[] { alice, bob })
        {
            Assert.True(node.Installs >= 3, $"{node.Name} installed only {node.Installs} Child SAs: the drivers did not exercise the tunnel");
            Assert.Empty(node.DatapathViolations());
            Assert.Empty(node.Errors);
        }
    }

    /// <summary>An engine on the thread pool whose host delivers datagrams to its peer (losing some) and records datapath calls.</summary>
    private sealed class ThreadedNode : IEngineHost, ILoggerFactory, ILogger
    {
        private readonly ConcurrentQueue<(string Call, uint Spi)> _datapath = new();
        private readonly ConcurrentDictionary<TimerKey, (ITimer Timer, long Generation)> _timers = new();
        private readonly ConcurrentDictionary<uint, byte> _installed = new();
        private int _nextReqId;

        public ThreadedNode(string name, IPAddress address, EngineOptions options)
        {
            Name = name;
            Address = address;
            Engine = new IkeEngine(options, TimeProvider.System, this, this);
        }

        public string Name { get; }

        public IPAddress Address { get; }

        public IkeEngine Engine { get; }

        public ThreadedNode Peer { get; set; } = null!;

        public ConcurrentQueue<string> Errors { get; } = new();

        public int Installs => _datapath.Count(c => c.Call == "install");

        public uint? AnyInstalledSpi(Random random)
        {
            var spis = _installed.Keys.ToArray();
            return spis.Length == 0 ? null : spis[random.Next(spis.Length)];
        }

        /// <summary>Each Child SA removed exactly once, after its install; nothing removed that was not installed.</summary>
        public IEnumerable<string> DatapathViolations()
        {
            var calls = _datapath.ToArray();
            foreach (var group in calls.Select((c, i) => (c.Call, c.Spi, Index: i)).GroupBy(c => c.Spi))
            {
                var sequence = string.Join(" ", group.Select(c => c.Call));
                if (sequence != "install remove")
                {
                    yield return $"{Name}: Child SA {group.Key:x8}: {sequence}";
                }
            }
        }

        public void Apply(EngineEffect effect)
        {
            switch (effect)
            {
                case SendDatagram send when Random.Shared.Next(10) != 0:
                    Peer.Engine.Receive(send.Remote, send.Local, send.Datagram);
                    break;
                case ArmTimer arm:
                    var timer = TimeProvider.System.CreateTimer(_ => Fire(arm.Timer, arm.Generation), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    if (_timers.TryGetValue(arm.Timer, out var old))
                    {
                        old.Timer.Dispose();
                    }

                    _timers[arm.Timer] = (timer, arm.Generation);
                    timer.Change(arm.Delay, Timeout.InfiniteTimeSpan);
                    break;
                case CancelTimer cancel when _timers.TryRemove(cancel.Timer, out var cancelled):
                    cancelled.Timer.Dispose();
                    break;
                case RemoveChildSa remove:
                    _installed.TryRemove(remove.InboundSpi, out _);
                    _datapath.Enqueue(("remove", remove.InboundSpi));
                    break;
            }
        }

        public ChildSaInstallResult Install(ChildSaInstallation installation)
        {
            _datapath.Enqueue(("install", installation.InboundSpi));
            _installed[installation.InboundSpi] = 0;
            installation.Dispose();
            return ChildSaInstallResult.Installed((uint)Interlocked.Increment(ref _nextReqId));
        }

        private void Fire(TimerKey key, long generation)
        {
            if (_timers.TryGetValue(key, out var entry) && entry.Generation == generation && _timers.TryRemove(new KeyValuePair<TimerKey, (ITimer, long)>(key, entry)))
            {
                entry.Timer.Dispose();
                Engine.OnTimer(key, generation);
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                Errors.Enqueue($"{Name}: {formatter(state, exception)} {exception}");
            }
        }

        public void Dispose()
        {
        }
    }
}
