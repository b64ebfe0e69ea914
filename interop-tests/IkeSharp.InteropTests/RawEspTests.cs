namespace IkeSharp.InteropTests;

/// <summary>
/// Raw ESP (IP protocol 50) between two IkeSharp daemons with the user-space datapath and no NAT:
/// IKE stays on UDP 500, ESP is not encapsulated. strongSwan's kernel-libipsec cannot be the peer
/// here, as it always forces UDP encapsulation. This machine's kernel has no ESP handler, so the
/// packets reach only IkeSharp's raw sockets.
/// </summary>
[Collection("strongSwan lab")]
public class RawEspTests
{
    [SkippableTheory]
    [InlineData("aes128gcm16")]
    [InlineData("aes256-sha256")]
    public void Ping_and_TCP_cross_a_raw_ESP_tunnel_between_two_IkeSharp_daemons(string esp)
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "interop tests need root (network namespaces, raw sockets); run ./test.sh as root");
        Skip.IfNot(File.Exists("/usr/bin/iperf3") && File.Exists("/usr/bin/tcpdump"), "needs iperf3 and tcpdump (./test.sh installs them as root)");
        using var lab = new NetworkLab();
        using var right = new IkeSharpDaemon(lab.Right, Config(lab, esp, initiate: false, lab.RightAddress, lab.LeftAddress, lab.RightSubnet, lab.LeftSubnet), Secrets, daemonSettings: "datapath = userspace");
        var capture = Path.Combine(Path.GetTempPath(), $"iks-raw-esp-{Environment.ProcessId}-{esp}.pcap");
        var (tcpdump, tcpdumpOutput) = Shell.Start($"ip netns exec {lab.Right} tcpdump -i wan0 -n -U -w {capture}");
        try
        {
            Assert.True(Shell.WaitUntil(() => tcpdumpOutput.ToString().Contains("listening on", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), tcpdumpOutput.ToString());
            using var left = new IkeSharpDaemon(lab.Left, Config(lab, esp, initiate: true, lab.LeftAddress, lab.RightAddress, lab.LeftSubnet, lab.RightSubnet), Secrets, daemonSettings: "datapath = userspace");
            WaitInstalled(left, right);

            // One warm-up packet each way: the responder may install its SAs a moment after the
            // initiator, and neighbour discovery can hold the very first packet (as in the libipsec tests).
            Shell.Run($"ip netns exec {lab.Left} ping -c 1 -W 2 -I {lab.LeftSubnetHost} {lab.RightSubnetHost}", check: false);
            Shell.Run($"ip netns exec {lab.Right} ping -c 1 -W 2 -I {lab.RightSubnetHost} {lab.LeftSubnetHost}", check: false);
            var outbound = Shell.Run($"ip netns exec {lab.Left} ping -c 3 -i 0.2 -W 2 -I {lab.LeftSubnetHost} {lab.RightSubnetHost}", check: false);
            var inbound = Shell.Run($"ip netns exec {lab.Right} ping -c 3 -i 0.2 -W 2 -I {lab.RightSubnetHost} {lab.LeftSubnetHost}", check: false);
            Assert.True(outbound.Contains("3 received", StringComparison.Ordinal), $"{outbound}\n--- left ---\n{left.Log}\n--- right ---\n{right.Log}");
            Assert.True(inbound.Contains("3 received", StringComparison.Ordinal), inbound);

            var received = lab.TcpTransfer();
            Assert.True(received > 1_000_000, $"only {received} bytes arrived");

            var sa = left.EstablishedIkeSa("peer")!;
            Assert.False(sa["encap"]!.GetValue<bool>(), sa.ToJsonString());
            Assert.Equal(500, sa["remote-port"]!.GetValue<int>());
            var child = sa["child-sas"]![0]!;
            Assert.True(child["packets-out"]!.GetValue<long>() > 1000, child.ToJsonString());
            var drops = left.Status()["statistics"]!["datapath_drops"]!;
            Assert.Equal(0, drops["Integrity"]!.GetValue<long>());
            Assert.Equal(0, drops["WrongEncapsulation"]!.GetValue<long>());
            Assert.Contains("raw ESP socket (IP protocol 50) bound to 192.0.2.1", left.Log);
        }
        finally
        {
            Shell.Run($"kill -INT {tcpdump.Id}", check: false);
            tcpdump.WaitForExit(TimeSpan.FromSeconds(10));
            tcpdump.Dispose();
        }

        try
        {
            var esps = Shell.Run($"tcpdump -r {capture} -n 'ip proto 50' 2>/dev/null | wc -l");
            var encapsulated = Shell.Run($"tcpdump -r {capture} -n 'udp port 4500' 2>/dev/null | wc -l");
            var ike = Shell.Run($"tcpdump -r {capture} -n 'udp port 500' 2>/dev/null | wc -l");
            Assert.True(int.Parse(esps.Trim(), System.Globalization.CultureInfo.InvariantCulture) > 1000, $"ESP (IP protocol 50) packets captured: {esps}");
            Assert.Equal("0", encapsulated.Trim());
            Assert.True(int.Parse(ike.Trim(), System.Globalization.CultureInfo.InvariantCulture) >= 4, $"IKE packets on UDP 500: {ike}");
        }
        finally
        {
            File.Delete(capture);
        }
    }

    [SkippableFact]
    public void A_packet_limit_counted_in_user_space_rekeys_the_Child_SA_and_no_ping_is_lost()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "interop tests need root (network namespaces, raw sockets); run ./test.sh as root");
        using var lab = new NetworkLab();
        using var right = new IkeSharpDaemon(lab.Right, Config(lab, "aes128gcm16", initiate: false, lab.RightAddress, lab.LeftAddress, lab.RightSubnet, lab.LeftSubnet), Secrets, daemonSettings: "datapath = userspace");
        var limits = "rekey_packets = 4\n                        life_packets = 8";
        using var left = new IkeSharpDaemon(lab.Left, Config(lab, "aes128gcm16", initiate: true, lab.LeftAddress, lab.RightAddress, lab.LeftSubnet, lab.RightSubnet, limits), Secrets, daemonSettings: "datapath = userspace");
        WaitInstalled(left, right);
        var first = left.EstablishedIkeSa("peer")!["child-sas"]![0]!["spi-in"]!.ToString();

        var ping = Shell.Run($"ip netns exec {lab.Left} ping -c 12 -i 0.2 -W 1 -I {lab.LeftSubnetHost} {lab.RightSubnetHost}", check: false);

        // Every 4 packets the left side rekeys (make-before-break) and deletes the old pair: 12 pings, no gap.
        Assert.True(ping.Contains("12 packets transmitted, 12 received", StringComparison.Ordinal), $"{ping}\n--- left ---\n{left.Log}\n--- right ---\n{right.Log}");
        Assert.True(Shell.WaitUntil(() => left.EstablishedIkeSa("peer")!["child-sas"]!.AsArray().Count == 1
            && right.EstablishedIkeSa("peer")!["child-sas"]!.AsArray().Count == 1, TimeSpan.FromSeconds(10)), $"--- left ---\n{left.Log}\n--- right ---\n{right.Log}");
        Assert.NotEqual(first, left.EstablishedIkeSa("peer")!["child-sas"]![0]!["spi-in"]!.ToString());
        Assert.Contains("reached its soft byte/packet limit", left.Log);
        Assert.Contains("CHILD_SA net rekeyed: SPIs", left.Log);
        Assert.Contains("CHILD_SA net rekeyed: SPIs", right.Log);
        Assert.DoesNotContain("reached its hard lifetime", left.Log);
    }

    /// <summary>Status shows the Child SA before the datapath has installed it (and its route): wait for both daemons' install.</summary>
    private static void WaitInstalled(IkeSharpDaemon left, IkeSharpDaemon right)
        => Assert.True(Shell.WaitUntil(() => left.Log.Contains("installed in user space", StringComparison.Ordinal) && right.Log.Contains("installed in user space", StringComparison.Ordinal), TimeSpan.FromSeconds(30)),
            $"tunnel not up\n--- left ---\n{left.Log}\n--- right ---\n{right.Log}");

    private const string Secrets = "secrets {\n    peer {\n        psk = raw-esp-psk-0123456789abcdef\n    }\n}\n";

    private static string Config(NetworkLab lab, string esp, bool initiate, string me, string peer, string mine, string theirs, string childExtra = "") => $$"""
        tunnels {
            peer {
                local_addrs = {{me}}
                remote_addrs = {{peer}}
                local_id = {{me}}
                remote_id = {{peer}}
                ike_proposals = aes128-sha256-ecp256
                start_action = {{(initiate ? "start" : "none")}}
                children {
                    net {
                        local_ts = {{mine}}
                        remote_ts = {{theirs}}
                        esp_proposals = {{esp}}
                        {{childExtra}}
                    }
                }
            }
        }
        """;
}
