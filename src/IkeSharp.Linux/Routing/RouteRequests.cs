using System.Net;
using System.Net.Sockets;
using IkeSharp.Linux.Interop;
using IkeSharp.Linux.Netlink;
using static IkeSharp.Linux.Interop.netlink;
using static IkeSharp.Linux.Interop.rtnetlink;

namespace IkeSharp.Linux.Routing;

/// <summary>A route in a policy-routing table: a prefix out of one interface, through a gateway or on-link, with a preferred source.</summary>
internal readonly record struct RouteSpec(IPNetwork Destination, uint Table, int OutputInterface, IPAddress? Gateway, IPAddress? PreferredSource);

/// <summary>Where the kernel would send a packet (RTM_GETROUTE's answer): the interface, the next hop if not on-link, the source it would pick.</summary>
internal readonly record struct RoutePath(int OutputInterface, IPAddress? Gateway, IPAddress? PreferredSource);

/// <summary>
/// The rtnetlink requests of table-220 routing, laid out as iproute2 sends them for
/// <c>ip route replace</c>, <c>ip rule add</c>, <c>ip link set</c> and <c>ip route get</c>.
/// </summary>
internal static class RouteRequests
{
    /// <summary><c>ip route replace PREFIX [via GW] dev IF [src SRC] table T</c>: protocol boot and link scope when on-link, as iproute2 picks them.</summary>
    public static byte[] ReplaceRoute(RouteSpec route, uint sequence)
        => Route(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, route, sequence);

    /// <summary><c>ip route del PREFIX table T</c>: the kernel matches on prefix and table.</summary>
    public static byte[] DeleteRoute(IPNetwork destination, uint table, uint sequence)
        => Route(RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK, new RouteSpec(destination, table, 0, null, null), sequence);

    /// <summary><c>ip rule add|del priority P table T</c> for one address family; EXCL so a second add reports EEXIST instead of a duplicate rule.</summary>
    public static byte[] Rule(bool add, AddressFamily family, uint priority, uint table, uint sequence)
    {
        var writer = new NetlinkWriter(add ? RTM_NEWRULE : RTM_DELRULE,
            add ? (ushort)(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL) : (ushort)(NLM_F_REQUEST | NLM_F_ACK), sequence);
        writer.Write(new fib_rule_hdr { family = Family(family), table = Table8(table), action = add ? FR_ACT_TO_TBL : (byte)0 });
        writer.Attribute(FRA_PRIORITY, priority);
        if (table >= 256)
        {
            writer.Attribute(FRA_TABLE, table);
        }

        return writer.ToArray();
    }

    /// <summary><c>ip link set dev IF mtu M txqueuelen Q up</c>.</summary>
    public static byte[] SetLinkUp(int interfaceIndex, uint mtu, uint txQueueLength, uint sequence)
    {
        var writer = new NetlinkWriter(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, sequence);
        writer.Write(new ifinfomsg { ifi_index = interfaceIndex, ifi_flags = IFF_UP, ifi_change = IFF_UP });
        writer.Attribute(IFLA_MTU, mtu);
        writer.Attribute(IFLA_TXQLEN, txQueueLength);
        return writer.ToArray();
    }

    /// <summary><c>ip route get DST [from SRC]</c>: answered by one RTM_NEWROUTE (see <see cref="Path"/>).</summary>
    public static byte[] GetRoute(IPAddress destination, IPAddress? source, uint sequence)
    {
        var writer = new NetlinkWriter(RTM_GETROUTE, NLM_F_REQUEST, sequence);
        var bits = (byte)(destination.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
        writer.Write(new rtmsg { rtm_family = Family(destination.AddressFamily), rtm_dst_len = bits, rtm_src_len = source is null ? (byte)0 : bits, rtm_flags = RTM_F_LOOKUP_TABLE });
        writer.Attribute(RTA_DST, destination.GetAddressBytes(), []);
        if (source is not null)
        {
            writer.Attribute(RTA_SRC, source.GetAddressBytes(), []);
        }

        return writer.ToArray();
    }

    /// <summary>The answer to <see cref="GetRoute"/>; null when it is not a route message or has no output interface.</summary>
    public static RoutePath? Path(NetlinkMessage message)
    {
        if (message.Type != RTM_NEWROUTE || !NetlinkReplies.TryRead<rtmsg>(message.Payload, 0, out var header))
        {
            return null;
        }

        var length = header.rtm_family == AF_INET6 ? 16 : 4;
        int? device = null;
        IPAddress? gateway = null, source = null;
        foreach (var (type, value) in NetlinkReplies.Attributes(message.Payload, System.Runtime.CompilerServices.Unsafe.SizeOf<rtmsg>()))
        {
            switch (type)
            {
                case RTA_OIF when value.Length >= 4:
                    device = BitConverter.ToInt32(value.Span);
                    break;
                case RTA_GATEWAY when value.Length == length:
                    gateway = new IPAddress(value.Span);
                    break;
                case RTA_PREFSRC when value.Length == length:
                    source = new IPAddress(value.Span);
                    break;
            }
        }

        return device is { } index ? new RoutePath(index, gateway, source) : null;
    }

    private static byte[] Route(ushort type, ushort flags, RouteSpec route, uint sequence)
    {
        var writer = new NetlinkWriter(type, flags, sequence);
        var adding = type == RTM_NEWROUTE;
        writer.Write(new rtmsg
        {
            rtm_family = Family(route.Destination.BaseAddress.AddressFamily),
            rtm_dst_len = (byte)route.Destination.PrefixLength,
            rtm_table = Table8(route.Table),
            rtm_protocol = adding ? RTPROT_BOOT : (byte)0,
            rtm_scope = !adding ? RT_SCOPE_NOWHERE : route.Gateway is null ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE, // NOWHERE: delete whatever scope it has
            rtm_type = adding ? RTN_UNICAST : (byte)0,
        });
        if (route.Table >= 256)
        {
            writer.Attribute(RTA_TABLE, route.Table);
        }

        writer.Attribute(RTA_DST, route.Destination.BaseAddress.GetAddressBytes(), []);
        if (route.Gateway is not null)
        {
            writer.Attribute(RTA_GATEWAY, route.Gateway.GetAddressBytes(), []);
        }

        if (route.PreferredSource is not null)
        {
            writer.Attribute(RTA_PREFSRC, route.PreferredSource.GetAddressBytes(), []);
        }

        if (route.OutputInterface != 0)
        {
            writer.Attribute(RTA_OIF, route.OutputInterface);
        }

        return writer.ToArray();
    }

    private static byte Family(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? AF_INET6 : AF_INET;

    /// <summary>rtm_table holds tables below 256; larger ones go only in the RTA_TABLE/FRA_TABLE attribute.</summary>
    private static byte Table8(uint table) => table < 256 ? (byte)table : RT_TABLE_UNSPEC;
}
