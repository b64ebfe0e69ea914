using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace IkeSharp.Daemon.Control;

/// <summary>
/// The daemon's log as <c>ikesharp log</c> reads it: a Serilog sink that keeps the last lines
/// (with the tunnel each belongs to) and hands new ones to followers. Followers are called on
/// the logging thread, so they must only enqueue.
/// </summary>
internal sealed class LogBroadcast : ILogEventSink
{
    private const int Backlog = 1000;
    private readonly MessageTemplateTextFormatter _formatter = new("{Timestamp:HH:mm:ss.fff} [{Level:u3}] {Tunnel} {Message:lj}{NewLine}{Exception}", CultureInfo.InvariantCulture);
    private readonly Queue<LogLine> _recent = new();
    private readonly List<Action<LogLine>> _followers = [];
    private readonly Lock _sync = new();

    /// <summary>One rendered line and the tunnel it is about (empty for daemon-wide lines).</summary>
    public readonly record struct LogLine(string Tunnel, string Text);

    public void Emit(LogEvent logEvent)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        _formatter.Format(logEvent, writer);
        var tunnel = logEvent.Properties.TryGetValue("Tunnel", out var value) && value is ScalarValue { Value: string name } ? name : "";
        var line = new LogLine(tunnel, writer.ToString().TrimEnd());
        lock (_sync)
        {
            _recent.Enqueue(line);
            if (_recent.Count > Backlog)
            {
                _recent.Dequeue();
            }

            foreach (var follower in _followers)
            {
                follower(line);
            }
        }
    }

    /// <summary>The kept lines, then (until the returned handle is disposed) every new one.</summary>
    public IDisposable Follow(Action<LogLine> follower, out IReadOnlyList<LogLine> backlog)
    {
        lock (_sync)
        {
            backlog = [.. _recent];
            _followers.Add(follower);
        }

        return new Unfollow(this, follower);
    }

    private sealed class Unfollow(LogBroadcast broadcast, Action<LogLine> follower) : IDisposable
    {
        public void Dispose()
        {
            lock (broadcast._sync)
            {
                broadcast._followers.Remove(follower);
            }
        }
    }
}
