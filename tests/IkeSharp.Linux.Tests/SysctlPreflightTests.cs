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
