using System.Diagnostics;
using System.Text.Json;
using IkeSharp.Config;
using IkeSharp.Daemon.Hosting;
using Serilog;

namespace IkeSharp.Daemon.Tests;

/// <summary>
/// <c>daemon { log_file }</c>: lines reach the file in the chosen format, the file is private, it is
/// reopened after logrotate moved it, the size limit holds, and a file that cannot be written is
/// refused like any other config error.
/// </summary>
public sealed class LogFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iks-log-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Lines_go_to_a_new_private_file_after_logrotate_moved_the_old_one_away()
    {
        var path = Path.Combine(_dir, "ikesharpd.log");
        var file = LogFile.Open(Settings(path), json: false);
        using (var logger = new LoggerConfiguration().WriteTo.Sink(file).CreateLogger())
        {
            logger.Information("before {Rotation}", "rotation");
            File.Move(path, path + ".1"); // what logrotate does, before its postrotate SIGHUP
            logger.Information("still into the moved file");
            file.Reopen();
            logger.Information("after {Rotation}, pinging every {Interval}", "rotation", TimeSpan.FromSeconds(15));
        }

        var rotated = File.ReadAllLines(path + ".1");
        var current = File.ReadAllLines(path);
        Assert.Equal(["before rotation", "still into the moved file"], rotated.Select(MessageOf));
        Assert.Equal(["after rotation, pinging every 00:00:15"], current.Select(MessageOf)); // as on stdout: no quotes
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d \[INF\] ", current[0]);
        foreach (var log in new[] { path, path + ".1" })
        {
            // 0640 or stricter, whatever the umask.
            Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(log) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead));
        }
    }

    [Fact]
    public void Json_format_writes_one_object_per_line()
    {
        var path = Path.Combine(_dir, "ikesharpd.json");
        using (var logger = new LoggerConfiguration().WriteTo.Sink(LogFile.Open(Settings(path), json: true)).CreateLogger())
        {
            logger.ForContext("Tunnel", "customer").Warning("peer {Peer} is dead", "198.51.100.7");
        }

        using var line = JsonDocument.Parse(Assert.Single(File.ReadAllLines(path)));
        Assert.Equal("peer {Peer} is dead", line.RootElement.GetProperty("@mt").GetString());
        Assert.Equal("customer", line.RootElement.GetProperty("Tunnel").GetString());
        Assert.Equal("Warning", line.RootElement.GetProperty("@l").GetString());
    }

    [Fact]
    public void Lines_beyond_the_size_limit_are_dropped_until_the_file_is_rotated()
    {
        var path = Path.Combine(_dir, "ikesharpd.log");
        var file = LogFile.Open(Settings(path) with { SizeLimit = 1024 }, json: false);
        using (var logger = new LoggerConfiguration().WriteTo.Sink(file).CreateLogger())
        {
            for (var i = 0; i < 100; i++)
            {
                logger.Information("line {Number} of a chatty negotiation", i);
            }

            File.Move(path, path + ".1");
            file.Reopen();
            logger.Information("first line after the rotation");
        }

        // Serilog finishes the line that crosses the limit, then writes nothing more.
        Assert.InRange(new FileInfo(path + ".1").Length, 1024, 1024 + 100);
        Assert.Equal("first line after the rotation", MessageOf(Assert.Single(File.ReadAllLines(path))));
    }

    [Fact]
    public void A_log_file_in_a_missing_directory_is_refused_naming_the_config_line_and_the_fix()
    {
        var path = Path.Combine(_dir, "no-such-dir", "ikesharpd.log");

        var e = Assert.Throws<ConfigException>(() => LogFile.Open(Settings(path), json: false));

        Assert.StartsWith($"/etc/ikesharp/ikesharp.conf:4: log_file: cannot write the log to {path}: ", e.Message);
        Assert.Contains("LogsDirectory=", e.Fix);
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)), "no directory is created on the way");
    }

    [Fact]
    public async Task The_daemon_refuses_to_start_with_exit_code_78_when_its_log_file_cannot_be_written()
    {
        var config = Path.Combine(_dir, "ikesharp.conf");
        File.WriteAllText(config, "daemon {\n    listen = 127.0.0.1\n    log_file = missing/ikesharpd.log\n}\ntunnels {\n    peer {\n        local_addrs = 127.0.0.1\n        remote_addrs = 127.0.0.2\n" +
            "        children {\n            net {\n                local_ts = 10.0.0.0/24\n                remote_ts = 10.0.1.0/24\n            }\n        }\n    }\n}\n");
        var secrets = Path.Combine(_dir, "secrets.conf");
        File.WriteAllText(secrets, "secrets {\n    peer {\n        psk = a-pre-shared-key-long-enough\n    }\n}\n");
        File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using var daemon = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ikesharpd.dll"), "--config", config, "--socket", Path.Combine(_dir, "control.sock")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var stderr = await daemon.StandardError.ReadToEndAsync();
        Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(60)), "ikesharpd did not exit");

        Assert.Equal(78, daemon.ExitCode);
        Assert.StartsWith($"ikesharpd: invalid configuration: {config}:3: log_file: cannot write the log to {Path.Combine(_dir, "missing", "ikesharpd.log")}: ", stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "control.sock")), "nothing was started");
    }

    private static LogFileSettings Settings(string path) => new(path, LogFileSettings.DefaultSizeLimit, "/etc/ikesharp/ikesharp.conf", 4, "log_file");

    /// <summary>The message of a text line, after the timestamp, the level and the (here empty) tunnel.</summary>
    private static string MessageOf(string line) => line[(line.IndexOf("] ", StringComparison.Ordinal) + 3)..];
}
