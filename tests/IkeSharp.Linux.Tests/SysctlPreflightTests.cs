using System.Net;
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
    };

    [Fact]
    public void A_configured_gateway_passes_with_loose_or_no_reverse_path_filter()
    {
        Assert.Empty(SysctlPreflight.Check(k => Gateway[k]));
        Assert.Empty(SysctlPreflight.Check(k => k.EndsWith("rp_filter", StringComparison.Ordinal) ? "0" : Gateway[k]));
    }

    [Fact]
    public void Strict_reverse_path_filtering_and_forwarding_off_are_reported_with_the_fix()
    {
        var wrong = SysctlPreflight.Check(k => k switch
        {
            "net/ipv4/ip_forward" => "0",
            "net/ipv4/conf/all/rp_filter" => "1",
            _ => Gateway[k],
        });

        Assert.Equal([("net/ipv4/ip_forward", "0", "1"), ("net/ipv4/conf/all/rp_filter", "1", "2")], wrong);
        Assert.Equal("sysctl -w net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=2", SysctlPreflight.FixCommand(wrong));
    }
}

public class RoutePreflightTests
{
    [Fact]
    public void Unrouted_dnat_targets_and_internal_sources_are_named_with_their_key()
    {
        var policy = new NatPolicy("customer", IPAddress.Parse("54.17.45.23"), ["172.16.0.0/24"], ["110.220.10.7/32"], IPAddress.Parse("172.16.0.5"), [])
        {
            DnatMap = [("110.220.10.135/32", IPAddress.Parse("192.168.9.9"))],
        };

        var problems = RoutePreflight.Check([policy], a => a.ToString().StartsWith("172.16.", StringComparison.Ordinal));

        var problem = Assert.Single(problems);
        Assert.StartsWith("customer.nat.dnat_map: this host has no route to 192.168.9.9", problem);
        Assert.Empty(RoutePreflight.Check([policy], _ => true));
    }
}
