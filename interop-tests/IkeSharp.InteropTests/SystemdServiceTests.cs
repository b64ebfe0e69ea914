using System.Net.Sockets;
using System.Text;

namespace IkeSharp.InteropTests;

/// <summary>ikesharpd under systemd's notify protocol: READY=1 once listening, then WATCHDOG=1 pings.</summary>
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
            using var daemon = new IkeSharpDaemon(lab.Left, $"tunnels {{\n    peer {{\n        local_addrs = {lab.LeftAddress}\n        remote_addrs = {lab.RightAddress}\n        children {{\n            net {{\n                local_ts = {lab.LeftSubnet}\n                remote_ts = {lab.RightSubnet}\n            }}\n        }}\n    }}\n}}\n",
                $"secrets {{\n    peer {{\n        psk = {Scenario.Psk}\n    }}\n}}\n", daemonSettings: "datapath = record",
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
}
