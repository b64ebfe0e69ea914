using System.Runtime.InteropServices;
using IkeSharp.Config;
using IkeSharp.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.Hosting;

/// <summary>
/// Where the running configuration came from: what <c>ikesharpd</c> was started with. Every load,
/// a reload's too, applies the command-line overrides, so that a reload does not see the file's
/// values as changes.
/// </summary>
internal sealed record ConfigSource(string ConfigFile, string? SecretsFile, string? Socket, string? LogFile, DatapathKind? Datapath = null)
{
    public DaemonSettings Load()
    {
        var settings = ConfigLoader.Load(ConfigFile, SecretsFile, Socket, LogFile);
        return Datapath is { } forced ? settings with { Datapath = forced } : settings;
    }
}

/// <summary>
/// Reload on SIGHUP or <c>ikesharp reload</c>: reads the config again and, if it loads, hands the
/// tunnels to the engine (unchanged ones keep their SAs) and the NAT policy to the gateway. A config
/// that does not load, or whose NAT policy this host cannot apply (sysctls, routes, nft), leaves the
/// tunnels and the NAT table as they were. Daemon-wide settings that need new sockets or a new
/// datapath are reported as needing a restart. The log file is reopened first, whatever the config
/// says, so that logrotate's SIGHUP works even while the config on disk is broken.
/// </summary>
internal sealed partial class ConfigReload(
    ConfigSource source,
    DaemonSettings initial,
    IkeEngine engine,
    GatewayPolicy gateway,
    IEnumerable<LogFile> logFiles,
    ILogger<ConfigReload> logger) : IHostedService, IDisposable
{
    private readonly Lock _sync = new();
    private PosixSignalRegistration? _hangup;

    public DaemonSettings Current { get; private set; } = initial;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            _ = Task.Run(Reload, CancellationToken.None);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _hangup?.Dispose();

    /// <summary>Reloads and says what happened, in one line (also logged); throws <see cref="ConfigException"/> when the new config is refused.</summary>
    public string Reload()
    {
        lock (_sync)
        {
            foreach (var file in logFiles)
            {
                try
                {
                    file.Reopen();
                }
                catch (ConfigException e)
                {
                    LogReopenFailed(e.Message);
                }
            }

            DaemonSettings next;
            try
            {
                next = source.Load();
            }
            catch (ConfigException e)
            {
                LogRefused(e.Message);
                throw;
            }

            foreach (var setting in NeedRestart(Current, next))
            {
                LogNeedsRestart(setting);
            }

            try
            {
                gateway.Update(next);
            }
            catch (Exception e) when (e is InvalidOperationException or ConfigException)
            {
                // A SIGHUP has no one to answer: the refusal must reach the log.
                LogRefused(e.Message);
                throw;
            }

            var result = engine.Reconfigure(next.Engine);
            Current = next;
            var summary = $"reloaded {source.ConfigFile}: {result}";
            LogReloaded(summary);
            return summary;
        }
    }

    private static IEnumerable<string> NeedRestart(DaemonSettings old, DaemonSettings next)
    {
        if (!old.Listen.SequenceEqual(next.Listen))
        {
            yield return "listen";
        }

        if (old.Datapath != next.Datapath)
        {
            yield return "datapath";
        }

        if (old.ControlSocket != next.ControlSocket)
        {
            yield return "socket";
        }

        if (old.TunDevice != next.TunDevice)
        {
            yield return "tun_device";
        }

        if (old.ReplayWindow != next.ReplayWindow)
        {
            yield return "replay_window";
        }

        if ((old.LogFile?.Path, old.LogFile?.SizeLimit) != (next.LogFile?.Path, next.LogFile?.SizeLimit))
        {
            yield return "log_file";
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Summary}")]
    private partial void LogReloaded(string summary);

    [LoggerMessage(Level = LogLevel.Error, Message = "reload refused, still running the previous config: {Error}")]
    private partial void LogRefused(string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "log file not reopened, still writing to the one open before: {Error}")]
    private partial void LogReopenFailed(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reload: daemon.{Setting} changed; it takes effect at the next restart")]
    private partial void LogNeedsRestart(string setting);
}
