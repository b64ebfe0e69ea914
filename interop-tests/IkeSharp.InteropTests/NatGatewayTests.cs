namespace IkeSharp.InteropTests;

/// <summary>
/// The second seed's layout: a reserved Elastic IP 54.17.45.23 attached to no interface, a partner
/// whose two /32 hosts each reach their own internal target through it, and internet egress of the
/// private subnet masqueraded behind the gateway's address without entering the tunnel.
/// </summary>
[Collection("strongSwan lab")]
public sealed class NatGatewayTests : IDisposable
{
    private static int _counter;
    private readonly string _id = $"{Environment.ProcessId % 1000}{Interlocked.Increment(ref _counter)}";
    private readonly List<string> _namespaces = [];

    public void Dispose()
    {
        foreach (var ns in _namespaces)
        {
            Shell.Run($"ip netns pids {ns} | xargs -r kill -9; ip netns del {ns}", check: false);
        }
    }

    [SkippableFact]
    public void Reserved_EIP_forwards_each_partner_host_to_its_own_target_and_egress_is_masqueraded()
    {
        LabRequirements.Check();
        var (app, gw, inet, partner) = (Ns("app"), Ns("gw"), Ns("inet"), Ns("pgw"));
        void Link(string a, string ifA, string addrA, string b, string ifB, string addrB)
        {
            Shell.Run($"ip link add {ifA} netns {a} type veth peer name {ifB} netns {b}");
            Shell.Run($"ip -n {a} addr add {addrA} dev {ifA} && ip -n {a} link set {ifA} up && ip -n {b} addr add {addrB} dev {ifB} && ip -n {b} link set {ifB} up");
        }

        Link(app, "eth0", "172.16.0.5/24", gw, "lan0", "172.16.0.1/24");
        Shell.Run($"ip -n {app} addr add 172.16.0.6/24 dev eth0 && ip -n {app} route add default via 172.16.0.1");
        Link(gw, "wan0", "54.17.32.74/24", inet, "to-gw", "54.17.32.1/24");
        Link(inet, "to-p", "110.220.9.1/24", partner, "wan0", "110.220.9.72/24");
        // The partner's two application servers are addresses of its gateway: kernel-libipsec needs a
        // local address inside its selectors to route tunnel traffic, and the gateway answers for both.
        Shell.Run($"ip -n {partner} addr add 110.220.10.7/32 dev lo && ip -n {partner} addr add 110.220.10.135/32 dev lo");
        Shell.Run($"ip -n {gw} route add default via 54.17.32.1 && ip -n {partner} route add default via 110.220.9.1");
        Shell.Run($"ip -n {inet} addr add 198.51.100.80/32 dev lo && ip netns exec {inet} sysctl -qw net.ipv4.ip_forward=1 && ip netns exec {partner} sysctl -qw net.ipv4.ip_forward=1");

        // An operator's own table, there before IkeSharp starts: IkeSharp's stop must leave it alone.
        Shell.Run($"ip netns exec {gw} nft '{OperatorTable}'");
        using var strongswan = new StrongSwan(partner, """
            connections {
              partner {
                version = 2
                local_addrs = 110.220.9.72
                remote_addrs = 54.17.32.74
                proposals = aes256-sha1-modp2048
                local {
                  auth = psk
                  id = 110.220.9.72
                }
                remote {
                  auth = psk
                  id = 54.17.32.74
                }
                children {
                  apps {
                    local_ts = 110.220.10.7/32, 110.220.10.135/32
                    remote_ts = 54.17.45.23/32
                    esp_proposals = aes256-sha1
                  }
                }
              }
            }
            secrets {
              ike-gw {
                id = 54.17.32.74
                secret = MySuperSecureSecret
              }
            }
            """);
        using var ikesharp = new IkeSharpDaemon(gw, PartnerTunnel(SeedMap), "secrets {\n    peer {\n        psk = MySuperSecureSecret\n    }\n}\n",
            daemonSettings: "sysctl = set\n    egress_interface = wan0\n    egress_sources = 172.16.0.0/24");
        Assert.True(Shell.WaitUntil(() => ikesharp.Log.Contains("CHILD_SA apps established"), TimeSpan.FromSeconds(30)), ikesharp.Log + strongswan.Log);
        var (appDump, appOut) = Shell.Start($"ip netns exec {app} tcpdump -l -n -i eth0 icmp");
        var (hostDump, hostOut) = Shell.Start($"ip netns exec {partner} tcpdump -l -n -i ipsec0 icmp");
        var (inetDump, inetOut) = Shell.Start($"ip netns exec {inet} tcpdump -l -n -i to-gw icmp");
        using (appDump)
        using (hostDump)
        using (inetDump)
        {
            Thread.Sleep(1000);
            var toPartner = Shell.Run($"ip netns exec {app} ping -c 2 -W 2 -I 172.16.0.5 110.220.10.7", check: false);
            var fromFirst = Shell.Run($"ip netns exec {partner} ping -c 2 -W 2 -I 110.220.10.7 54.17.45.23", check: false);
            var fromSecond = Shell.Run($"ip netns exec {partner} ping -c 2 -W 2 -I 110.220.10.135 54.17.45.23", check: false);
            var internet = Shell.Run($"ip netns exec {app} ping -c 2 -W 2 -I 172.16.0.5 198.51.100.80", check: false);
            Thread.Sleep(500);

            Assert.True(toPartner.Contains("2 received", StringComparison.Ordinal), toPartner + ikesharp.Log);
            Assert.True(fromFirst.Contains("2 received", StringComparison.Ordinal), fromFirst);
            Assert.True(fromSecond.Contains("2 received", StringComparison.Ordinal), fromSecond);
            Assert.True(internet.Contains("2 received", StringComparison.Ordinal), internet);
            lock (hostOut)
            {
                Assert.Contains("IP 54.17.45.23 > 110.220.10.7: ICMP echo request", hostOut.ToString()); // SNAT to the reserved EIP
            }

            lock (appOut)
            {
                var seen = appOut.ToString();
                Assert.Contains("IP 110.220.10.7 > 172.16.0.5: ICMP echo request", seen);   // each partner host ...
                Assert.Contains("IP 110.220.10.135 > 172.16.0.6: ICMP echo request", seen); // ... to its own target
            }

            lock (inetOut)
            {
                var seen = inetOut.ToString();
                Assert.Contains("IP 54.17.32.74 > 198.51.100.80: ICMP echo request", seen); // masqueraded egress
                Assert.DoesNotContain("110.220.10", seen);                                 // tunnel traffic is ESP, not plain
            }

            foreach (var process in new[] { appDump, hostDump, inetDump })
            {
                process.Kill();
            }
        }

        // A reload with one mapping changed replaces the table and leaves the tunnel up.
        ikesharp.RewriteTunnels(PartnerTunnel("110.220.10.7 -> 172.16.0.6"));
        var reload = ikesharp.Request("{\"command\":\"reload\"}");
        Assert.True(reload["ok"]!.GetValue<bool>(), reload.ToJsonString());
        Assert.Contains("unchanged: peer", reload["message"]!.GetValue<string>());
        var table = Shell.Run($"ip netns exec {gw} nft list table ip ikesharp");
        Assert.Contains("ip saddr 110.220.10.7 ip daddr 54.17.45.23 dnat to 172.16.0.6", table);
        Assert.DoesNotContain("dnat to 172.16.0.5", table);
        Assert.DoesNotContain("ip saddr 110.220.10.135", table);

        ikesharp.Stop();
        Assert.Contains("Error", Shell.Run($"ip netns exec {gw} nft list table ip ikesharp 2>&1", check: false));
        Assert.Equal("", Shell.Run($"ip -n {gw} route show table 220"));
        Assert.Contains("the operator rule", Shell.Run($"ip netns exec {gw} nft list table inet operator"));
    }

    /// <summary>
    /// With <c>sysctl = check</c> a host that is not set up refuses to start, naming per interface what
    /// is wrong (redirects still sent on the LAN interface although <c>all</c> is off, forwarding off)
    /// and the one command that fixes it; after running exactly that command the daemon starts.
    /// </summary>
    [SkippableFact]
    public void Sysctl_check_refuses_to_start_with_the_command_that_fixes_the_host()
    {
        LabRequirements.Check();
        var gw = Ns("gw");
        Shell.Run($"ip -n {gw} link add lan0 type veth peer name lan0p && ip -n {gw} link add wan0 type veth peer name wan0p");
        Shell.Run($"ip -n {gw} addr add 172.16.0.1/24 dev lan0 && ip -n {gw} addr add 54.17.32.74/24 dev wan0");
        Shell.Run($"for l in lan0 lan0p wan0 wan0p; do ip -n {gw} link set $l up; done && ip -n {gw} route add default via 54.17.32.1");
        // ip_forward=0 first: turning forwarding off also turns every interface's forwarding off and all.accept_redirects on.
        Shell.Run($"ip netns exec {gw} sysctl -qw net.ipv4.ip_forward=0 net.ipv4.conf.all.accept_redirects=0 net.ipv4.conf.default.accept_redirects=0 " +
            "net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 " +
            "net.ipv4.conf.lan0.send_redirects=1 net.ipv4.conf.lan0.rp_filter=1 net.ipv4.conf.wan0.send_redirects=0 net.ipv4.conf.wan0.rp_filter=0");
        var config = """
            tunnels {
                peer {
                    local_addrs = 54.17.32.74
                    remote_addrs = 110.220.9.72
                    nat {
                        public_ip = 54.17.45.23
                        snat_sources = 172.16.0.0/24
                        dnat_map = 110.220.10.7 -> 172.16.0.5
                    }
                    children {
                        apps {
                            remote_ts = 110.220.10.7/32
                        }
                    }
                }
            }
            """;
        const string secrets = "secrets {\n    peer {\n        psk = MySuperSecureSecret\n    }\n}\n";
        const string fix = "sysctl -w net.ipv4.ip_forward=1 net.ipv4.conf.lan0.forwarding=1 net.ipv4.conf.lan0.send_redirects=0 net.ipv4.conf.lan0.rp_filter=2 net.ipv4.conf.wan0.forwarding=1";

        var refused = Assert.Throws<InvalidOperationException>(() => new IkeSharpDaemon(gw, config, secrets, daemonSettings: "datapath = record"));
        Assert.Contains("net.ipv4.conf.lan0.send_redirects is 1, needs 0", refused.Message);
        Assert.Contains($"run: {fix}  (or set daemon {{ sysctl = set }})", refused.Message);

        Shell.Run($"ip netns exec {gw} {fix}");
        using var ikesharp = new IkeSharpDaemon(gw, config, secrets, daemonSettings: "datapath = record");
        Assert.Contains("dnat to 172.16.0.5", Shell.Run($"ip netns exec {gw} nft list table ip ikesharp"));
    }

    private const string SeedMap = "110.220.10.7 -> 172.16.0.5, 110.220.10.135 -> 172.16.0.6";

    private const string OperatorTable = "add table inet operator; add chain inet operator forward { type filter hook forward priority 10; policy accept; }; " +
        "add rule inet operator forward counter comment \"the operator rule\"";

    private static string PartnerTunnel(string dnatMap) => $$"""
        tunnels {
            peer {
                local_addrs = 54.17.32.74
                remote_addrs = 110.220.9.72
                local_id = 54.17.32.74
                remote_id = 110.220.9.72
                ike_proposals = aes256-sha1-modp2048
                start_action = start
                nat {
                    public_ip = 54.17.45.23
                    snat_sources = 172.16.0.0/24
                    dnat_map = {{dnatMap}}
                }
                children {
                    apps {
                        remote_ts = 110.220.10.7/32, 110.220.10.135/32
                        esp_proposals = aes256-sha1
                    }
                }
            }
        }
        """;

    private string Ns(string name)
    {
        var ns = $"ik{name}{_id}";
        _namespaces.Add(ns);
        Shell.Run($"ip netns add {ns} && ip -n {ns} link set lo up");
        return ns;
    }
}
