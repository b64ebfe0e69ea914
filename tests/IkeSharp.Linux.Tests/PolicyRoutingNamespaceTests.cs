using System.Net;
using IkeSharp.Linux.Interop;
using IkeSharp.Linux.Routing;
using Microsoft.Extensions.Logging.Abstractions;

namespace IkeSharp.Linux.Tests;

/// <summary>
/// Table-220 routing over rtnetlink against this machine's kernel, each test in its own network
/// namespace with one veth (192.0.2.1/24, default route via 192.0.2.254). What the kernel holds is
/// read back with iproute2, an independent reader.
/// </summary>
public class PolicyRoutingNamespaceTests
{
    private static readonly IPAddress Gateway = IPAddress.Parse("192.0.2.254");
    private static readonly IPNetwork Remote = IPNetwork.Parse("10.2.0.0/24");

    [SkippableFact]
    public void Lookup_names_the_interface_and_gateway_the_kernel_would_use()
    {
        using var ns = Namespace();

        var (path, index) = ns.Run(() =>
        {
            using var routing = PolicyRouting.Open(NullLogger.Instance);
            return (routing.Lookup(IPAddress.Parse("198.51.100.7"), IPAddress.Parse("192.0.2.1")), (int)net_if.if_nametoindex("v0"));
        });

        Assert.Equal(new RoutePath(index, Gateway, null), path);
    }

    [SkippableFact]
    public void Shared_route_stays_until_its_last_user_goes_and_the_rule_is_added_with_the_first()
    {
        using var ns = Namespace();

        var (afterAdds, rules, afterOneRemove, afterBoth) = ns.Run(() =>
        {
            using var routing = PolicyRouting.Open(NullLogger.Instance);
            var path = routing.Lookup(IPAddress.Parse("198.51.100.7"), null);
            routing.Add(Remote, path.OutputInterface, path.Gateway, IPAddress.Parse("192.0.2.1"));
            routing.Add(Remote, path.OutputInterface, path.Gateway, IPAddress.Parse("192.0.2.1"));
            var afterAdds = ns.Ip("route", "show", "table", "220");
            var rules = ns.Ip("rule", "show");
            routing.Remove(Remote);
            var afterOneRemove = ns.Ip("route", "show", "table", "220");
            routing.Remove(Remote);
            return (afterAdds, rules, afterOneRemove, ns.Ip("route", "show", "table", "220"));
        });

        Assert.Equal("10.2.0.0/24 via 192.0.2.254 dev v0 src 192.0.2.1", afterAdds.Trim());
        Assert.Contains("220:\tfrom all lookup 220", rules, StringComparison.Ordinal);
        Assert.Equal(afterAdds, afterOneRemove);
        Assert.Equal("", afterBoth.Trim());
    }

    [SkippableFact]
    public void Dispose_removes_the_routes_and_the_rule_also_one_left_by_an_earlier_run()
    {
        using var ns = Namespace();
        ns.Ip("rule", "add", "priority", "220", "table", "220"); // a crashed run's rule

        var (routes, rules) = ns.Run(() =>
        {
            using (var routing = PolicyRouting.Open(NullLogger.Instance))
            {
                var index = (int)net_if.if_nametoindex("v0");
                routing.Add(IPNetwork.Parse("10.3.0.0/16"), index, null, null);
                routing.Add(IPNetwork.Parse("fd00:2::/64"), index, null, null);
            }

            return (ns.Ip("route", "show", "table", "220") + ns.Ip("-6", "route", "show", "table", "220"), ns.Ip("rule", "show") + ns.Ip("-6", "rule", "show"));
        });

        Assert.Equal("", routes.Trim());
        Assert.DoesNotContain("lookup 220", rules, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Link_is_set_up_with_mtu_and_queue_length()
    {
        using var ns = Namespace();
        ns.Ip("link", "set", "v0", "down");

        var link = ns.Run(() =>
        {
            using var routing = PolicyRouting.Open(NullLogger.Instance);
            routing.SetLinkUp("v0", 1400, 1000);
            return ns.Ip("link", "show", "v0");
        });

        Assert.Contains("mtu 1400", link, StringComparison.Ordinal);
        Assert.Contains("qlen 1000", link, StringComparison.Ordinal);
        Assert.Contains(",UP", link, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_missing_device_or_route_is_a_netlink_error_naming_what_was_done()
    {
        using var ns = NetworkNamespace.Create(); // loopback only: no route anywhere

        var (device, route) = ns.Run(() =>
        {
            using var routing = PolicyRouting.Open(NullLogger.Instance);
            return (Record.Exception(() => routing.SetLinkUp("nosuch0", 1400, 1000))?.Message,
                Record.Exception(() => routing.Lookup(IPAddress.Parse("198.51.100.7"), null))?.Message);
        });

        Assert.StartsWith("looking up interface nosuch0 failed: ENODEV", device, StringComparison.Ordinal);
        Assert.StartsWith("looking up the route to 198.51.100.7 failed: ENETUNREACH", route, StringComparison.Ordinal);
    }

    private static NetworkNamespace Namespace()
    {
        var ns = NetworkNamespace.Create();
        ns.Ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
        ns.Ip("link", "set", "v1", "up");
        ns.Ip("link", "set", "v0", "up");
        ns.Ip("addr", "add", "192.0.2.1/24", "dev", "v0");
        ns.Ip("addr", "add", "fd00:1::1/64", "dev", "v0", "nodad");
        ns.Ip("route", "add", "default", "via", "192.0.2.254");
        return ns;
    }
}
