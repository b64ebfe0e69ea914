using System.Globalization;
using IkeSharp.Config;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace IkeSharp.Daemon.Hosting;

/// <summary>
/// The log file (<c>daemon { log_file }</c>): a Serilog file sink that <see cref="Reopen"/> replaces
/// with a fresh one on the same path, so that logrotate can rename the file and send SIGHUP (as it
/// does for strongSwan's charon) without lines going to the renamed file for ever.
/// </summary>
internal sealed class LogFile : ILogEventSink, IDisposable
{
    /// <summary>
    /// The journal stamps lines itself; a file needs the date and the zone in each line. Values are
    /// rendered as on stdout (<c>:l</c> alone: no JSON quotes around a time span or an address).
    /// </summary>
    private const string TextTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Tunnel} {Message:l}{NewLine}{Exception}";

    /// <summary>0640: the log names peers, identities and addresses (never keys); root and its group may read it.</summary>
    private const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private readonly LogFileSettings _settings;
    private readonly ITextFormatter _formatter;
    private readonly Lock _sync = new();
    private Logger _sink;

    private LogFile(LogFileSettings settings, ITextFormatter formatter)
    {
        _settings = settings;
        _formatter = formatter;
        _sink = OpenSink();
    }

    /// <summary>Opens the file for appending, creating it mode 0640.</summary>
    /// <param name="json">One JSON object per line (as <c>--log-format json</c> writes to stdout) instead of text.</param>
    /// <exception cref="ConfigException">It cannot be opened: names where <c>log_file</c> was set and how to fix it.</exception>
    public static LogFile Open(LogFileSettings settings, bool json)
        => new(settings, json ? new CompactJsonFormatter() : new MessageTemplateTextFormatter(TextTemplate, CultureInfo.InvariantCulture));

    public void Emit(LogEvent logEvent)
    {
        // Under the lock so that no line is handed to a sink that Reopen is disposing.
        lock (_sync)
        {
            _sink.Write(logEvent);
        }
    }

    /// <summary>Lines after this go to the file now at the path (a new one if logrotate moved the old away).</summary>
    /// <exception cref="ConfigException">The path cannot be opened any more; lines keep going to the file already open.</exception>
    public void Reopen()
    {
        var next = OpenSink();
        Logger previous;
        lock (_sync)
        {
            previous = _sink;
            _sink = next;
        }

        previous.Dispose();
    }

    public void Dispose()
    {
        lock (_sync)
        {
            _sink.Dispose();
        }
    }

    private Logger OpenSink()
    {
        try
        {
            // Created here with its mode because Serilog would create it with the umask's (0644 by
            // default); it then opens the existing file. Serilog also turns open failures into a
            // silent sink, so this is where they are caught and told.
            using (new FileStream(_settings.Path, new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite, UnixCreateMode = Mode }))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw _settings.Error($"cannot write the log to {_settings.Path}: {e.Message}",
                "point it at a file in an existing directory that root can write, e.g. /var/log/ikesharp/ikesharpd.log (the systemd unit's LogsDirectory= creates that one; ProtectSystem=strict makes most others read-only)");
        }

        return new LoggerConfiguration()
            .MinimumLevel.Verbose() // the daemon's logger has filtered already
            .WriteTo.File(_formatter, _settings.Path, fileSizeLimitBytes: _settings.SizeLimit == 0 ? null : _settings.SizeLimit)
            .CreateLogger();
    }
}
