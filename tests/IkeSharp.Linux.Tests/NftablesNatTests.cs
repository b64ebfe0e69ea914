using System.Net;
using IkeSharp.Config;
using IkeSharp.Linux.Nat;

namespace IkeSharp.Linux.Tests;

/// <summary>The nftables table IkeSharp installs for the seeds' iptables rules.</summary>
public class NftablesNatTests
{
    [Fact]
    public void Seed_rules_become_one_table_replaced_atomically()
    {
        var policy = new NatPolicy("customer", IPAddress.Parse("54.17.45.23"), ["172.16.0.0/24"], ["110.220.10.7/32", "110.220.10.135/32"], null, [new NatService("icmp", null)])
        {
            DnatMap = [("110.220.10.7/32", IPAddress.Parse("172.16.0.5"))],
        };

        var script = NftablesNat.Render([policy], new EgressPolicy("eth0", ["172.16.0.0/24"]));

        Assert.StartsWith("table ip ikesharp\ndelete table ip ikesharp\ntable ip ikesharp {", script.Replace("\r", ""));
        // iptables -t nat -A PREROUTING -s 110.220.10.7/32 -d 54.17.45.23/32 -j DNAT --to-destination 172.16.0.5 (ICMP only here)
        Assert.Contains("ip saddr 110.220.10.7/32 ip daddr 54.17.45.23 meta l4proto icmp dnat to 172.16.0.5", script);
        // iptables -t nat -A POSTROUTING -s 172.16.0.0/24 -d 110.220.10.7/32 -j SNAT --to-source 54.17.45.23
        Assert.Contains("ip saddr { 172.16.0.0/24 } ip daddr { 110.220.10.7/32, 110.220.10.135/32 } snat to 54.17.45.23", script);
        // iptables -t nat -A POSTROUTING -o eth0 -s ... -j MASQUERADE, with tunnel destinations exempted
        Assert.Contains("oifname \"eth0\" ip saddr { 172.16.0.0/24 } ip daddr != { 110.220.10.7/32, 110.220.10.135/32 } masquerade", script);
        Assert.Contains("ip daddr 54.17.45.23 ct status & dnat == 0 drop", script);
    }
}
