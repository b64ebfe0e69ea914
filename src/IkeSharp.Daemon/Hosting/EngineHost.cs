using System.Collections.Concurrent;
using IkeSharp.Config;
using IkeSharp.Engine;
using IkeSharp.Linux.Sockets;
using IkeSharp.Linux.Xfrm;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.Hosting;

/// <summary>
/// Runs the engine: binds the IKE sockets, feeds datagrams and timer expiries to it, and carries
/// out its effects (send, timers on <see cref="TimeProvider"/>, datapath installs). On stop it
/// deletes every IKE SA and sends the DELETEs before the sockets close.
/// </summary>
internal sealed partial class EngineHost(
    DaemonSettings settings,
    IkeEngine engine,
    UdpTransport transport,
    IDatapath datapath,
    TimeProvider time,
    ILogger<EngineHost> logger) : IHostedService
{
    private readonly ConcurrentDictionary<TimerKey, ITimer> _timers = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogStarting(settings.ConfigFile, settings.Engine.Tunnels.Length, datapath.Description);
        foreach (var line in settings.ImportReport)
        {
            LogImport(line);
        }

        transport.Received = (local, remote, payload) => Execute(engine.Receive(local, remote, payload));
        datapath.Events = e => Execute(e switch
        {
            TrafficAcquired acquired => engine.OnAcquire(acquired.Tunnel),
            ChildSaExpired expired => engine.OnChildSaExpired(expired.Spi, expired.Hard),
            _ => [],
        });
        transport.Bind(settings.Listen);
        Execute(engine.Start());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        LogStopping(engine.GetStatus().Count);
        Execute(engine.Shutdown());
        foreach (var timer in _timers.Values)
        {
            timer.Dispose();
        }

        _timers.Clear();
        return Task.CompletedTask;
    }

    public void Execute(IReadOnlyList<EngineEffect> effects)
    {
        foreach (var effect in effects)
        {
            try
            {
                Apply(effect);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogEffectFailed(effect.GetType().Name, e.Message);
            }
        }
    }

    private void Apply(EngineEffect effect)
    {
        switch (effect)
        {
            case SendDatagram send:
                transport.Send(send.Local, send.Remote, send.Datagram);
                break;
            case ArmTimer arm:
                var timer = time.CreateTimer(_ => Fire(arm.Timer), null, arm.Delay, Timeout.InfiniteTimeSpan);
                if (_timers.TryGetValue(arm.Timer, out var old))
                {
                    old.Dispose();
                }

                _timers[arm.Timer] = timer;
                break;
            case CancelTimer cancel:
                if (_timers.TryRemove(cancel.Timer, out var cancelled))
                {
                    cancelled.Dispose();
                }

                break;
            case InstallChildSa install:
                try
                {
                    datapath.Install(install.Installation);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Execute(engine.OnChildSaInstallFailed(install.Installation.InboundSpi, e.Message));
                }

                break;
            case RemoveChildSa remove:
                datapath.Remove(remove);
                break;
            case UpdateChildSaEndpoints update:
                datapath.UpdateEndpoints(update);
                break;
            case InstallTrapPolicies trap when datapath is KernelDatapath kernel:
                kernel.InstallTraps(trap);
                break;
            case InstallTrapPolicies trap:
                LogTrap(trap.Tunnel, string.Join(", ", trap.Children.Select(c => $"{string.Join(" ", c.LocalTrafficSelectors)} === {string.Join(" ", c.RemoteTrafficSelectors)}")));
                break;
            case RemoveTrapPolicies untrap when datapath is KernelDatapath kernel:
                kernel.RemoveTraps(untrap.Tunnel);
                break;
            case TunnelStateChanged state:
                LogTunnelState(state.Tunnel, state.State.ToString().ToLowerInvariant(), state.Reason ?? "");
                break;
        }
    }

    private void Fire(TimerKey key)
    {
        if (_timers.TryRemove(key, out var timer))
        {
            timer.Dispose();
            Execute(engine.OnTimer(key));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ikesharpd starting with {Config}: {Tunnels} tunnel(s); datapath {Datapath}")]
    private partial void LogStarting(string config, int tunnels, string datapath);

    [LoggerMessage(Level = LogLevel.Warning, Message = "import: {Line}")]
    private partial void LogImport(string line);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping: deleting {IkeSas} IKE SA(s)")]
    private partial void LogStopping(int ikeSas);

    [LoggerMessage(Level = LogLevel.Information, Message = "tunnel {Tunnel} is {State} {Reason}")]
    private partial void LogTunnelState(string tunnel, string state, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "tunnel {Tunnel} waits for traffic ({Selectors}), but only the kernel datapath can trap packets: use 'ikesharp up {Tunnel}', or datapath = kernel")]
    private partial void LogTrap(string tunnel, string selectors);

    [LoggerMessage(Level = LogLevel.Error, Message = "carrying out {Effect} failed: {Error}")]
    private partial void LogEffectFailed(string effect, string error);
}
