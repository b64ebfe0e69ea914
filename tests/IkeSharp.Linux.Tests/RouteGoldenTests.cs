using System.Net;
using System.Net.Sockets;
using IkeSharp.Linux.Interop;
using IkeSharp.Linux.Netlink;
using IkeSharp.Linux.Routing;

namespace IkeSharp.Linux.Tests;

/// <summary>
/// Every rtnetlink request of table-220 routing, compared byte for byte with what iproute2 sent for
/// the same command (Golden/Route), and the kernel's captured route lookup parsed back.
/// </summary>
public class RouteGoldenTests
{
    private static readonly IPAddress Gateway = IPAddress.Parse("192.0.2.254");
    private static readonly IPAddress Local = IPAddress.Parse("192.0.2.1");

    [Fact]
    public void Link_up_with_mtu_and_queue_length_matches_iproute2()
    {
        var golden = Golden.Load("Route", "link-up");
        var index = golden.RequestInt32(16 + 4); // ifinfomsg.ifi_index

        Assert.Equal(golden.RequestHex, Convert.ToHexStringLower(RouteRequests.SetLinkUp(index, 1400, 1000, golden.Sequence)));
    }

    [Theory]
    [InlineData("rule-add", true)]
    [InlineData("rule-delete", false)]
    public void Rule_for_table_220_matches_iproute2(string name, bool add)
    {
        var golden = Golden.Load("Route", name);

        Assert.Equal(golden.RequestHex, Convert.ToHexStringLower(RouteRequests.Rule(add, AddressFamily.InterNetwork, 220, 220, golden.Sequence)));
    }

    [Fact]
    public void Route_through_a_gateway_with_a_source_matches_iproute2()
    {
        var golden = Golden.Load("Route", "route-via");
        var index = golden.RequestInt32(golden.RequestHex.Length / 2 - 4); // RTA_OIF comes last

        var route = new RouteSpec(IPNetwork.Parse("10.2.0.0/24"), 220, index, Gateway, Local);

        Assert.Equal(golden.RequestHex, Convert.ToHexStringLower(RouteRequests.ReplaceRoute(route, golden.Sequence)));
    }

    [Fact]
    public void On_link_route_has_link_scope_as_iproute2_gives_it()
    {
        var golden = Golden.Load("Route", "route-onlink");
        var index = golden.RequestInt32(golden.RequestHex.Length / 2 - 4);

        var route = new RouteSpec(IPNetwork.Parse("10.3.0.0/16"), 220, index, null, null);

        Assert.Equal(golden.RequestHex, Convert.ToHexStringLower(RouteRequests.ReplaceRoute(route, golden.Sequence)));
    }

    [Fact]
    public void Route_delete_matches_iproute2()
    {
        var golden = Golden.Load("Route", "route-delete");

        Assert.Equal(golden.RequestHex, Convert.ToHexStringLower(RouteRequests.DeleteRoute(IPNetwork.Parse("10.2.0.0/24"), 220, golden.Sequence)));
    }

    [Fact]
    public void Route_lookup_matches_iproute2_and_its_answer_names_interface_and_gateway()
    {
        var golden = Golden.Load("Route", "route-get");

        Assert.Equal(golden.RequestHex, Convert.ToHexStringLower(RouteRequests.GetRoute(IPAddress.Parse("10.9.9.9"), Local, golden.Sequence)));

        var answer = Assert.Single(NetlinkReplies.Split(golden.Replies[0]));
        var path = RouteRequests.Path(answer);
        Assert.NotNull(path);
        Assert.Equal(Gateway, path.Value.Gateway);
        Assert.True(path.Value.OutputInterface > 1, "the veth of the capture, not lo");
        Assert.Null(path.Value.PreferredSource); // asked "from": the kernel does not repeat it as a hint
    }

    [Fact]
    public void A_truncated_or_foreign_answer_is_no_path()
    {
        var golden = Golden.Load("Route", "route-get");
        var answer = Assert.Single(NetlinkReplies.Split(golden.Replies[0]));

        Assert.Null(RouteRequests.Path(answer with { Payload = answer.Payload[..8] }));
        Assert.Null(RouteRequests.Path(answer with { Type = rtnetlink.RTM_NEWRULE }));
        Assert.Null(RouteRequests.Path(answer with { Payload = answer.Payload[..12] })); // header only: no RTA_OIF
    }

    [Fact]
    public void Kernel_struct_sizes_are_those_of_x86_64()
    {
        Assert.Equal(12, System.Runtime.CompilerServices.Unsafe.SizeOf<rtmsg>());
        Assert.Equal(12, System.Runtime.CompilerServices.Unsafe.SizeOf<fib_rule_hdr>());
        Assert.Equal(16, System.Runtime.CompilerServices.Unsafe.SizeOf<ifinfomsg>());
    }
}
