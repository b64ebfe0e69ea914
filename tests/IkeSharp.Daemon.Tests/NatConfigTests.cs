using IkeSharp.Config;

namespace IkeSharp.Daemon.Tests;

/// <summary>
/// The <c>nat</c> blocks of the second seed (reserved EIP 54.17.45.23, two partner hosts with a target
/// each): what loads, and which contradictions are refused at load, naming the key and the fix.
/// </summary>
public sealed class NatConfigTests : IDisposable
{
    private const string SeedMap = "110.220.10.7 -> 172.16.0.5, 110.220.10.135 -> 172.16.0.6";
    private const string SeedRemote = "110.220.10.7/32, 110.220.10.135/32";
    private readonly string _dir = Directory.CreateTempSubdirectory("iks-nat-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_second_seed_loads_with_the_EIP_as_local_selector()
    {
        var settings = Load(Tunnel("partner", "110.220.9.72", $"dnat_map = {SeedMap}\n            dnat_services = icmp"),
            "egress_interface = eth0\n    egress_sources = 172.16.0.0/24");

        var policy = Assert.Single(settings.NatPolicies);
        Assert.Equal([("110.220.10.7/32", "172.16.0.5"), ("110.220.10.135/32", "172.16.0.6")], policy.DnatMap.Select(m => (m.From, m.To.ToString())));
        Assert.Equal(["110.220.10.7/32", "110.220.10.135/32"], policy.RemoteSubnets.AsEnumerable());
        Assert.Equal("54.17.45.23/32", Assert.Single(Assert.Single(settings.Engine.Tunnels).Children[0].LocalTrafficSelectors).ToString());
        Assert.Equal("eth0", settings.Egress?.Interface);
    }

    [Theory]
    // a partner host the tunnel does not carry: nothing from it can arrive
    [InlineData("dnat_map = 110.220.10.7 -> 172.16.0.5, 110.220.10.136 -> 172.16.0.6", SeedRemote, "partner.nat.dnat_map",
        "110.220.10.136/32 is not inside the tunnel's remote_ts (110.220.10.7/32, 110.220.10.135/32)")]
    // one partner host mapped twice, to two targets: nftables would use the first and ignore the second
    [InlineData("dnat_map = 110.220.10.0/24 -> 172.16.0.5, 110.220.10.135 -> 172.16.0.6", "110.220.10.0/24", "partner.nat.dnat_map",
        "traffic from 110.220.10.135/32 to 54.17.45.23 would go to 172.16.0.6 here and to 172.16.0.5 by partner.nat.dnat_map; only the first rule would apply")]
    // forwarding the IKE address itself (the rule that was there before dnat_map)
    [InlineData("dnat_to = 172.16.0.5", SeedRemote, "partner.nat.public_ip", "54.17.32.74 is also the gateway's IKE address (local_addrs)", "54.17.32.74")]
    // forwarding the IKE address for a range that holds the peer's own address
    [InlineData("dnat_map = 110.220.0.0/16 -> 172.16.0.5", "110.220.0.0/16", "partner.nat.dnat_map",
        "54.17.32.74 is also the gateway's IKE address (local_addrs) and 110.220.0.0/16 includes the peer 110.220.9.72", "54.17.32.74")]
    [InlineData("dnat_services = icmp, tcp/https", SeedRemote, "partner.nat.dnat_services", "'tcp/https' is not a service")]
    [InlineData("dnat_map = 110.220.10.7 => 172.16.0.5", SeedRemote, "partner.nat.dnat_map", "'110.220.10.7 => 172.16.0.5' is not 'REMOTE -> INTERNAL'")]
    public void A_contradicting_nat_block_is_refused_at_load(string nat, string remote, string key, string expected, string publicIp = "54.17.45.23")
    {
        var e = Assert.Throws<ConfigException>(() => Load(Tunnel("partner", "110.220.9.72", nat, remote, publicIp)));

        Assert.Equal(key, e.Key);
        Assert.Contains(expected, e.Message);
        Assert.NotNull(e.Fix);
        Assert.True(e.Line > 1);
    }

    [Fact]
    public void A_local_ts_without_the_public_ip_is_refused_at_load()
    {
        // SNATed packets would leave from the EIP, which the tunnel's selectors do not carry.
        var tunnel = Tunnel("partner", "110.220.9.72", $"dnat_map = {SeedMap}").Replace("remote_ts =", "local_ts = 172.16.0.0/24\n                        remote_ts =", StringComparison.Ordinal);

        var e = Assert.Throws<ConfigException>(() => Load(tunnel));

        Assert.Equal("partner.nat.public_ip", e.Key);
        Assert.Contains("no child's local_ts (172.16.0.0/24) includes 54.17.45.23", e.Message);
        var widened = Load(tunnel.Replace("local_ts = 172.16.0.0/24", "local_ts = 54.17.45.23/32, 172.16.0.0/24", StringComparison.Ordinal));
        Assert.Equal(2, Assert.Single(widened.Engine.Tunnels).Children[0].LocalTrafficSelectors.Length);
    }

    [Fact]
    public void Mappings_that_agree_or_keep_clear_of_the_peer_load()
    {
        // the same host mapped twice to the same target changes nothing
        var same = Assert.Single(Load(Tunnel("partner", "110.220.9.72", "dnat_map = 110.220.10.0/24 -> 172.16.0.5, 110.220.10.135 -> 172.16.0.5", "110.220.10.0/24")).NatPolicies);
        Assert.Equal(["172.16.0.5", "172.16.0.5"], same.DnatMap.Select(m => m.To.ToString()));
        // the IKE address as public_ip is fine while the mapped sources exclude the peer
        var onIkeAddress = Assert.Single(Load(Tunnel("partner", "110.220.9.72", $"dnat_map = {SeedMap}", SeedRemote, "54.17.32.74")).NatPolicies);
        Assert.Equal("54.17.32.74", onIkeAddress.PublicIp.ToString());
        Assert.Equal(2, onIkeAddress.DnatMap.Length);
        // dnat_map overrides dnat_to for its sources by design: both are kept
        var both = Assert.Single(Load(Tunnel("partner", "110.220.9.72", $"dnat_map = {SeedMap}\n            dnat_to = 172.16.0.9")).NatPolicies);
        Assert.Equal("172.16.0.9", both.DnatTarget?.ToString());
        Assert.Equal(["172.16.0.5", "172.16.0.6"], both.DnatMap.Select(m => m.To.ToString()));
    }

    [Theory]
    // two tunnels forwarding one public IP with dnat_to (the rule that was there before dnat_map)
    [InlineData("dnat_to = 172.16.0.5", "54.17.45.23", "dnat_to = 172.16.0.6", SeedRemote, "other.nat.public_ip", "54.17.45.23 is forwarded (dnat_to) by tunnels partner and other")]
    // two tunnels mapping one partner host at one public IP to different targets
    [InlineData($"dnat_map = {SeedMap}", "54.17.45.23", "dnat_map = 110.220.10.7 -> 172.16.0.9", "110.220.10.7/32", "other.nat.dnat_map",
        "traffic from 110.220.10.7/32 to 54.17.45.23 would go to 172.16.0.9 here and to 172.16.0.5 by partner.nat.dnat_map")]
    // the same internal hosts to the same remote host leaving as two public IPs
    [InlineData($"dnat_map = {SeedMap}", "54.17.45.99", "", "110.220.10.0/24", "other.nat.snat_sources",
        "traffic from 172.16.0.0/24 to 110.220.10.7/32 would leave as 54.17.45.99 here and as 54.17.45.23 by tunnel partner")]
    public void Tunnels_whose_mappings_overlap_are_refused_at_load(string partnerNat, string otherIp, string otherNat, string otherRemote, string key, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Load(Tunnel("partner", "110.220.9.72", partnerNat) + Tunnel("other", "110.220.9.99", otherNat, otherRemote, otherIp)));

        Assert.Equal(key, e.Key);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("egress_interface = eth0", "egress_interface needs the internal subnets to masquerade")]
    [InlineData("egress_sources = 172.16.0.0/24", "egress_sources without egress_interface masquerades nothing")]
    public void Egress_needs_both_interface_and_sources(string daemon, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Load(Tunnel("partner", "110.220.9.72", $"dnat_map = {SeedMap}"), daemon));

        Assert.Contains(expected, e.Message);
    }

    private static string Tunnel(string name, string peer, string nat, string remote = SeedRemote, string publicIp = "54.17.45.23") => $$"""
            {{name}} {
                local_addrs = 54.17.32.74
                remote_addrs = {{peer}}
                nat {
                    public_ip = {{publicIp}}
                    snat_sources = 172.16.0.0/24
                    {{nat}}
                }
                children {
                    apps {
                        remote_ts = {{remote}}
                    }
                }
            }

        """;

    private DaemonSettings Load(string tunnels, string daemon = "")
    {
        var path = Path.Combine(_dir, "ikesharp.conf");
        File.WriteAllText(path, $"daemon {{\n    listen = 54.17.32.74\n    {daemon}\n}}\ntunnels {{\n{tunnels}}}\n");
        var secretsPath = Path.Combine(_dir, "secrets.conf");
        File.WriteAllText(secretsPath, "secrets {\n    partner {\n        psk = a-partner-secret-of-some-length\n    }\n    other {\n        psk = another-secret-of-some-length\n    }\n}\n");
        File.SetUnixFileMode(secretsPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return ConfigLoader.Load(path);
    }
}
