using System.Collections.Concurrent;
using IkeSharp.Config;
using IkeSharp.Engine;
using IkeSharp.Linux.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.Hosting;

/// <summary>
/// Runs the engine: binds the IKE sockets, hands datagrams, timer expiries and datapath events to
/// it, and carries out the effects its tunnel owners produce (send, timers on
/// <see cref="TimeProvider"/>, datapath calls) on the owner's thread, in order. On stop it deletes
/// every IKE SA and waits until the DELETEs are sent before the sockets close.
/// </summary>
internal sealed partial class EngineHost : IHostedService, IEngineHost
{
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(10);

    private readonly DaemonSettings _settings;
    private readonly UdpTransport _transport;
    private readonly IDatapath _datapath;
    private readonly TimeProvider _time;
    private readonly ILogger<EngineHost> _logger;
    private readonly ConcurrentDictionary<TimerKey, (ITimer Timer, long Generation)> _timers = new();

    public EngineHost(DaemonSettings settings, UdpTransport transport, IDatapath datapath, TimeProvider time, ILoggerFactory loggers)
    {
        _settings = settings;
        _transport = transport;
        _datapath = datapath;
        _time = time;
        _logger = loggers.CreateLogger<EngineHost>();
        Engine = new IkeEngine(settings.Engine, time, loggers, this, datapath);
    }

    public IkeEngine Engine { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogStarting(_settings.ConfigFile, _settings.Engine.Tunnels.Length, _datapath.Description);
        foreach (var line in _settings.ImportReport)
        {
            LogImport(line);
        }

        _transport.Received = Engine.Receive;
        _datapath.Events = Engine.OnDatapathEvent;
        _transport.Bind(_settings.Listen);
        Engine.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        LogStopping(Engine.GetStatus().Count);
        try
        {
            await Engine.Shutdown().WaitAsync(ShutdownGrace, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            LogShutdownSlow(ShutdownGrace.TotalSeconds);
        }

        foreach (var (timer, _) in _timers.Values)
        {
            timer.Dispose();
        }

        _timers.Clear();
    }

    public void Apply(EngineEffect effect)
    {
        try
        {
            switch (effect)
            {
                case SendDatagram send:
                    _transport.Send(send.Local, send.Remote, send.Datagram);
                    break;
                case ArmTimer arm:
                    Arm(arm);
                    break;
                case CancelTimer cancel:
                    if (_timers.TryRemove(cancel.Timer, out var cancelled))
                    {
                        cancelled.Timer.Dispose();
                    }

                    break;
                case RemoveChildSa remove:
                    _datapath.Remove(remove);
                    break;
                case UpdateChildSaEndpoints update:
                    _datapath.UpdateEndpoints(update);
                    break;
                case InstallTrapPolicies trap:
                    _datapath.InstallTraps(trap);
                    break;
                case RemoveTrapPolicies untrap:
                    _datapath.RemoveTraps(untrap.Tunnel);
                    break;
                case TunnelStateChanged state:
                    LogTunnelState(state.Tunnel, state.State.ToString().ToLowerInvariant(), state.Reason ?? "");
                    break;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogEffectFailed(effect.GetType().Name, e.Message);
        }
    }

    public ChildSaInstallResult Install(ChildSaInstallation installation)
    {
        try
        {
            return ChildSaInstallResult.Installed(_datapath.Install(installation));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return ChildSaInstallResult.Refused(e.Message);
        }
    }

    /// <summary>The timer is in the table before it can fire, and an expiry reaches the engine only while it is the key's current one.</summary>
    private void Arm(ArmTimer arm)
    {
        var timer = _time.CreateTimer(_ => Fire(arm.Timer, arm.Generation), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (_timers.TryGetValue(arm.Timer, out var old))
        {
            old.Timer.Dispose();
        }

        _timers[arm.Timer] = (timer, arm.Generation);
        timer.Change(arm.Delay, Timeout.InfiniteTimeSpan);
    }

    private void Fire(TimerKey key, long generation)
    {
        if (_timers.TryGetValue(key, out var entry) && entry.Generation == generation && _timers.TryRemove(new KeyValuePair<TimerKey, (ITimer, long)>(key, entry)))
        {
            entry.Timer.Dispose();
            Engine.OnTimer(key, generation);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ikesharpd starting with {Config}: {Tunnels} tunnel(s); datapath {Datapath}")]
    private partial void LogStarting(string config, int tunnels, string datapath);

    [LoggerMessage(Level = LogLevel.Warning, Message = "import: {Line}")]
    private partial void LogImport(string line);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping: deleting {IkeSas} IKE SA(s)")]
    private partial void LogStopping(int ikeSas);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stopping: not every tunnel finished closing within {Seconds} s; closing the sockets anyway")]
    private partial void LogShutdownSlow(double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "tunnel {Tunnel} is {State} {Reason}")]
    private partial void LogTunnelState(string tunnel, string state, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "carrying out {Effect} failed: {Error}")]
    private partial void LogEffectFailed(string effect, string error);
}
