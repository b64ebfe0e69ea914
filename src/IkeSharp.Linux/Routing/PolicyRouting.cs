using System.Net;
using System.Net.Sockets;
using IkeSharp.Linux.Interop;
using IkeSharp.Linux.Netlink;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Linux.Routing;

/// <summary>
/// Table 220 and the rule that consults it before the main table (priority 220), as strongSwan's
/// kernel-netlink and kernel-libipsec keep them, written over one rtnetlink socket (no <c>ip</c>
/// process). Routes go to the tunnels' remote selectors; Child SAs with the same remote prefix
/// share one route, counted, so the last <see cref="Remove"/> deletes it. The rule is added per
/// address family with its first route. <see cref="Dispose"/> deletes what is left and the rules.
/// Safe to call from several threads; each call is one netlink transaction.
/// </summary>
internal sealed partial class PolicyRouting : IDisposable
{
    public const uint Table = 220;
    public const uint RulePriority = 220;

    private readonly NetlinkSocket _socket;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private readonly Dictionary<IPNetwork, int> _routes = [];
    private readonly HashSet<AddressFamily> _rules = [];

    private PolicyRouting(NetlinkSocket socket, ILogger logger)
    {
        _socket = socket;
        _logger = logger;
    }

    public static PolicyRouting Open(ILogger logger) => new(NetlinkSocket.OpenRoute(), logger);

    /// <summary>Where the kernel sends packets to <paramref name="destination"/> from <paramref name="source"/> (<c>ip route get</c>); throws when it has no route.</summary>
    public RoutePath Lookup(IPAddress destination, IPAddress? source) => Lookup(_socket, destination, source);

    /// <summary>One lookup on a socket of its own, for callers without a <see cref="PolicyRouting"/> (preflight checks).</summary>
    public static RoutePath LookupOnce(IPAddress destination)
    {
        using var socket = NetlinkSocket.OpenRoute();
        return Lookup(socket, destination, null);
    }

    /// <summary>Adds the route to <paramref name="prefix"/> in table 220, or counts one more user of it.</summary>
    public void Add(IPNetwork prefix, int outputInterface, IPAddress? gateway, IPAddress? source)
    {
        lock (_sync)
        {
            if (_routes.TryGetValue(prefix, out var users))
            {
                _routes[prefix] = users + 1;
                return;
            }

            EnsureRule(prefix.BaseAddress.AddressFamily);
            var sequence = _socket.NextSequence();
            _socket.Execute($"adding the route to {prefix} in table {Table}",
                RouteRequests.ReplaceRoute(new RouteSpec(prefix, Table, outputInterface, gateway, source), sequence), sequence);
            _routes[prefix] = 1;
            LogRoute(prefix, gateway?.ToString() ?? "(on-link)", LocalAddresses.InterfaceName(outputInterface) ?? $"#{outputInterface}", source?.ToString() ?? "(none)");
        }
    }

    /// <summary>One user fewer of the route to <paramref name="prefix"/>; the last one deletes it.</summary>
    public void Remove(IPNetwork prefix)
    {
        lock (_sync)
        {
            if (!_routes.TryGetValue(prefix, out var users))
            {
                return;
            }

            if (users > 1)
            {
                _routes[prefix] = users - 1;
                return;
            }

            _routes.Remove(prefix);
            Delete(prefix);
        }
    }

    /// <summary><c>ip link set dev NAME mtu M txqueuelen Q up</c>.</summary>
    public void SetLinkUp(string device, int mtu, int txQueueLength)
    {
        var index = (int)net_if.if_nametoindex(device);
        if (index == 0)
        {
            throw new NetlinkException($"looking up interface {device}", -19 /* ENODEV */);
        }

        var sequence = _socket.NextSequence();
        _socket.Execute($"setting {device} up (mtu {mtu}, txqueuelen {txQueueLength})", RouteRequests.SetLinkUp(index, (uint)mtu, (uint)txQueueLength, sequence), sequence);
    }

    public void Dispose()
    {
        lock (_sync)
        {
            foreach (var prefix in _routes.Keys.ToList())
            {
                Delete(prefix);
            }

            _routes.Clear();
            foreach (var family in _rules)
            {
                TryExecute($"removing the rule for table {Table}", sequence => RouteRequests.Rule(add: false, family, RulePriority, Table, sequence));
            }

            _rules.Clear();
        }

        _socket.Dispose();
    }

    private static RoutePath Lookup(NetlinkSocket socket, IPAddress destination, IPAddress? source)
    {
        var sequence = socket.NextSequence();
        var operation = $"looking up the route to {destination}{(source is null ? "" : $" from {source}")}";
        return RouteRequests.Path(socket.Query(operation, RouteRequests.GetRoute(destination, source, sequence), sequence))
            ?? throw new NetlinkException(operation, -101 /* ENETUNREACH */, "the answer names no interface");
    }

    private void EnsureRule(AddressFamily family)
    {
        if (_rules.Contains(family))
        {
            return;
        }

        try
        {
            var sequence = _socket.NextSequence();
            _socket.Execute($"adding the rule for table {Table}", RouteRequests.Rule(add: true, family, RulePriority, Table, sequence), sequence);
        }
        catch (NetlinkException e) when (e.Errno == 17 /* EEXIST: left by an earlier run; ours to remove at stop */)
        {
        }

        _rules.Add(family);
    }

    private void Delete(IPNetwork prefix)
        => TryExecute($"removing the route to {prefix} from table {Table}", sequence => RouteRequests.DeleteRoute(prefix, Table, sequence));

    /// <summary>Cleanup: what is already gone (ESRCH, ENOENT) is fine, anything else is logged, never thrown.</summary>
    private void TryExecute(string operation, Func<uint, byte[]> request)
    {
        try
        {
            var sequence = _socket.NextSequence();
            _socket.Execute(operation, request(sequence), sequence);
        }
        catch (NetlinkException e) when (e.Errno is 2 or 3)
        {
        }
        catch (NetlinkException e)
        {
            LogCleanupFailed(e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "route {Prefix} via {Gateway} dev {Device} src {Source} in table 220")]
    private partial void LogRoute(IPNetwork prefix, string gateway, string device, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cleanup: {Reason}")]
    private partial void LogCleanupFailed(string reason);
}
