using System.Globalization;
using IkeSharp.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.Hosting;

/// <summary>
/// systemd's watchdog (<c>WatchdogSec=</c>): every half interval, proves the engine still answers
/// (its status walks every IKE SA) and sends <c>WATCHDOG=1</c>. A daemon stuck in a lock stops
/// pinging and systemd restarts it. Does nothing outside systemd or without a watchdog.
/// </summary>
internal sealed partial class SystemdWatchdog(ISystemdNotifier notifier, IkeEngine engine, ILogger<SystemdWatchdog> logger) : IHostedService, IDisposable
{
    private static readonly ServiceState Alive = new("WATCHDOG=1");
    private Timer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!notifier.IsEnabled
            || !long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec <= 0)
        {
            return Task.CompletedTask;
        }

        var interval = TimeSpan.FromMicroseconds(usec / 2);
        _timer = new Timer(_ => Ping(), null, TimeSpan.Zero, interval);
        LogEnabled(interval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    private void Ping()
    {
        _ = engine.GetStatus();
        notifier.Notify(Alive);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "systemd watchdog: pinging every {Interval}")]
    private partial void LogEnabled(TimeSpan interval);
}
