using System.Net.Sockets;
using System.Text;

namespace IkeSharp.InteropTests;

/// <summary>
/// ikesharpd as a service: systemd's notify protocol (READY=1 once listening, then WATCHDOG=1
/// pings), and a log file that logrotate can rotate.
/// </summary>
[Collection("strongSwan lab")]
public class SystemdServiceTests
{
    [SkippableFact]
    public void Readiness_and_watchdog_pings_reach_the_notify_socket()
    {
        LabRequirements.Check();
        using var lab = new NetworkLab();
        var path = Path.Combine(Path.GetTempPath(), $"iks-notify-{Guid.NewGuid():N}.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(path));
        notify.ReceiveTimeout = 15000;
        try
        {
            // What systemd sets for Type=notify with WatchdogSec=1.
            using var daemon = new IkeSharpDaemon(lab.Left, Tunnel(lab), Secrets, daemonSettings: "datapath = record",
                environment: $"NOTIFY_SOCKET={path} WATCHDOG_USEC=1000000");
            var messages = new List<string>();
            var buffer = new byte[256];
            while (!messages.Contains("WATCHDOG=1") || !messages.Any(m => m.StartsWith("READY=1", StringComparison.Ordinal)))
            {
                messages.Add(Encoding.ASCII.GetString(buffer, 0, notify.Receive(buffer)));
            }

            Assert.Contains("systemd watchdog: pinging every 00:00:00.5", daemon.Log);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public void The_log_reaches_the_log_file_and_SIGHUP_reopens_it_after_logrotate_moved_it()
    {
        LabRequirements.Check();
        using var lab = new NetworkLab();
        var logs = Directory.CreateTempSubdirectory("iks-logs-").FullName;
        var log = Path.Combine(logs, "ikesharpd.log");
        try
        {
            using var daemon = new IkeSharpDaemon(lab.Left, Tunnel(lab), Secrets, daemonSettings: $"datapath = record\n    log_file = {log}");
            Assert.True(Shell.WaitUntil(() => Read(log).Contains("control socket", StringComparison.Ordinal), TimeSpan.FromSeconds(15)), "no startup line in the log file:\n" + Read(log));
            Assert.Contains("ikesharpd starting with ", Read(log), StringComparison.Ordinal);

            File.Move(log, log + ".1"); // logrotate, then its postrotate: systemctl reload ikesharpd
            daemon.Hangup();
            Assert.True(Shell.WaitUntil(() => Read(log).Contains("reloaded", StringComparison.Ordinal), TimeSpan.FromSeconds(15)), "the reload was not logged to a new file:\n" + daemon.Log);
            daemon.Stop();

            Assert.Contains("stopping: deleting", Read(log), StringComparison.Ordinal);
            Assert.DoesNotContain("reloaded", Read(log + ".1"), StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(log));
        }
        finally
        {
            Directory.Delete(logs, recursive: true);
        }
    }

    private const string Secrets = $"secrets {{\n    peer {{\n        psk = {Scenario.Psk}\n    }}\n}}\n";

    private static string Tunnel(NetworkLab lab)
        => $"tunnels {{\n    peer {{\n        local_addrs = {lab.LeftAddress}\n        remote_addrs = {lab.RightAddress}\n        children {{\n            net {{\n                local_ts = {lab.LeftSubnet}\n                remote_ts = {lab.RightSubnet}\n            }}\n        }}\n    }}\n}}\n";

    private static string Read(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}
