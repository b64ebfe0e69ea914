using System.Net;
using IkeSharp.Config;
using IkeSharp.Linux.Nat;

namespace IkeSharp.Linux.Tests;

public class SysctlPreflightTests
{
    private static readonly Dictionary<string, string> Gateway = new()
    {
        ["net/ipv4/ip_forward"] = "1",
        ["net/ipv4/conf/all/send_redirects"] = "0",
        ["net/ipv4/conf/default/send_redirects"] = "0",
        ["net/ipv4/conf/all/accept_redirects"] = "0",
        ["net/ipv4/conf/default/accept_redirects"] = "0",
        ["net/ipv4/conf/all/rp_filter"] = "2",
        ["net/ipv4/conf/default/rp_filter"] = "0",
        ["net/ipv4/conf/eth0/forwarding"] = "1",
        ["net/ipv4/conf/eth0/send_redirects"] = "0",
        ["net/ipv4/conf/eth0/rp_filter"] = "1",
    };

    [Fact]
    public void A_configured_gateway_passes_with_loose_or_no_reverse_path_filter()
    {
        // all = 2 makes eth0's strict 1 loose: the kernel applies the larger of the two.
        Assert.Empty(SysctlPreflight.Check(["eth0"], k => Gateway[k]));
        Assert.Empty(SysctlPreflight.Check(["eth0"], k => k.EndsWith("rp_filter", StringComparison.Ordinal) ? "0" : Gateway[k]));
    }

    [Fact]
    public void Strict_reverse_path_filtering_and_forwarding_off_are_reported_with_the_fix()
    {
        var wrong = SysctlPreflight.Check([], k => k switch
        {
            "net/ipv4/ip_forward" => "0",
            "net/ipv4/conf/all/rp_filter" => "1",
            _ => Gateway[k],
        });

        Assert.Equal([("net/ipv4/ip_forward", "0", "1"), ("net/ipv4/conf/all/rp_filter", "1", "2")], wrong);
        Assert.Equal("sysctl -w net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=2", SysctlPreflight.FixCommand(wrong));
    }

    [Fact]
    public void An_interface_that_still_sends_redirects_or_filters_strictly_is_named_even_when_all_is_right()
    {
        // The kernel sends redirects when all OR the interface says so, and all = 0 leaves eth0's strict 1 in force.
        var wrong = SysctlPreflight.Check(["eth0", "eth0.100", "eth0"], k => k switch
        {
            "net/ipv4/conf/all/rp_filter" => "0",
            "net/ipv4/conf/default/rp_filter" => "1", // the TUN device made later would filter strictly
            "net/ipv4/conf/eth0/send_redirects" => "1",
            "net/ipv4/conf/eth0.100/forwarding" => "0",
            _ when k.StartsWith("net/ipv4/conf/eth0.100/", StringComparison.Ordinal) => Gateway[k.Replace("eth0.100", "eth0", StringComparison.Ordinal)],
            _ => Gateway[k],
        });

        Assert.Equal(
        [
            ("net/ipv4/conf/eth0/send_redirects", "1", "0"),
            ("net/ipv4/conf/eth0/rp_filter", "1", "2"),
            ("net/ipv4/conf/eth0.100/forwarding", "0", "1"),
            ("net/ipv4/conf/eth0.100/rp_filter", "1", "2"),
            ("net/ipv4/conf/default/rp_filter", "1", "2"),
        ], wrong);
        // sysctl reads a dotted name's dots as separators, so a VLAN's keys keep their slashes.
        Assert.Equal("sysctl -w net.ipv4.conf.eth0.send_redirects=0 net.ipv4.conf.eth0.rp_filter=2 net/ipv4/conf/eth0.100/forwarding=1 net/ipv4/conf/eth0.100/rp_filter=2 net.ipv4.conf.default.rp_filter=2",
            SysctlPreflight.FixCommand(wrong));
    }

    [Fact]
    public void A_sysctl_that_cannot_be_written_is_named_with_the_errno_and_nothing_after_it_is_tried()
    {
        var written = new List<string>();
        // What File.WriteAllText throws on a read-only /proc/sys (a container): the errno is the HResult.
        var e = Assert.Throws<IOException>(() => SysctlPreflight.Apply([("net/ipv4/ip_forward", "0", "1"), ("net/ipv4/conf/all/rp_filter", "1", "2")],
            (key, _) =>
            {
                written.Add(key);
                throw new IOException($"Read-only file system : '/proc/sys/{key}'", 30);
            }));

        Assert.Equal("cannot set net.ipv4.ip_forward=1: Read-only file system (errno 30)", e.Message);
        Assert.Equal(["net/ipv4/ip_forward"], written);
    }
}

public class RoutePreflightTests
{
    private static readonly NatPolicy Policy = new("customer", IPAddress.Parse("54.17.45.23"), ["172.16.0.0/24"], ["110.220.10.7/32"], IPAddress.Parse("172.16.0.5"), [])
    {
        DnatMap = [("110.220.10.135/32", IPAddress.Parse("192.168.9.9"))],
    };

    [Fact]
    public void Unrouted_dnat_targets_and_internal_sources_are_named_with_their_key()
    {
        var problems = RoutePreflight.Check([Policy], a => a.ToString().StartsWith("172.16.", StringComparison.Ordinal) ? "lan0" : null);

        var problem = Assert.Single(problems);
        Assert.StartsWith("customer.nat.dnat_map: this host has no route to 192.168.9.9", problem);
        Assert.Empty(RoutePreflight.Check([Policy], _ => "lan0"));
    }

    [Fact]
    public void The_forwarding_interfaces_are_those_towards_internal_hosts_and_peers_and_the_egress_one()
    {
        string? Device(IPAddress a) => a.ToString() switch
        {
            "172.16.0.0" or "172.16.0.5" => "lan0",
            "192.168.9.9" => "lo", // a DNAT target on the gateway itself forwards nothing
            "110.220.9.72" => "wan0",
            _ => null,
        };

        var interfaces = RoutePreflight.Interfaces([Policy], [IPAddress.Parse("110.220.9.72")], new EgressPolicy("eth1", ["172.16.0.0/24"]), Device);

        Assert.Equal(["lan0", "wan0", "eth1"], interfaces);
    }
}
