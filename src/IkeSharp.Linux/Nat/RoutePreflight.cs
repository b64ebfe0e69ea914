using System.Net;
using IkeSharp.Config;
using IkeSharp.Linux.Netlink;
using IkeSharp.Linux.Routing;

namespace IkeSharp.Linux.Nat;

/// <summary>
/// The hosts a NAT policy sends traffic to must be reachable from the gateway: the DNAT targets,
/// and the internal sources that replies go back to. Found missing at startup, a route would
/// otherwise show up as a tunnel that is up but carries nothing back. The interfaces of those
/// routes are also the ones whose forwarding sysctls matter (<see cref="SysctlPreflight"/>).
/// </summary>
public static class RoutePreflight
{
    /// <summary>One line per unreachable address, naming the tunnel, the key and the fix; empty when all are routed.</summary>
    /// <param name="deviceOf">The interface the route to an address leaves through, null without a route.</param>
    public static IReadOnlyList<string> Check(IEnumerable<NatPolicy> policies, Func<IPAddress, string?>? deviceOf = null)
    {
        deviceOf ??= DeviceOf;
        var problems = new List<string>();
        foreach (var policy in policies)
        {
            foreach (var (address, key) in InternalHosts(policy))
            {
                if (deviceOf(address) is null)
                {
                    problems.Add($"{policy.Tunnel}.nat.{key}: this host has no route to {address} (add one, e.g. 'ip route add {address}/32 via GATEWAY', or correct {key})");
                }
            }
        }

        return problems;
    }

    /// <summary>
    /// The interfaces the gateway forwards through: towards the policies' internal hosts and the
    /// tunnels' peers (decrypted packets enter there), and the egress interface; not the loopback.
    /// </summary>
    public static IReadOnlyList<string> Interfaces(IEnumerable<NatPolicy> policies, IEnumerable<IPAddress> peers, EgressPolicy? egress, Func<IPAddress, string?>? deviceOf = null)
    {
        deviceOf ??= DeviceOf;
        var addresses = policies.SelectMany(p => InternalHosts(p).Select(h => h.Address)).Concat(peers).Distinct();
        return [.. addresses.Select(deviceOf).OfType<string>().Concat(egress is null ? [] : [egress.Interface]).Where(d => d != "lo").Distinct()];
    }

    private static IEnumerable<(IPAddress Address, string Key)> InternalHosts(NatPolicy policy)
        => policy.DnatMap.Select(m => (m.To, "dnat_map"))
            .Concat(policy.DnatTarget is { } t ? [(t, "dnat_to")] : [])
            .Concat(policy.InternalSources.Select(s => (IPNetwork.Parse(s).BaseAddress, "snat_sources")))
            .Distinct();

    /// <summary>The interface the kernel routes <paramref name="address"/> out of (<c>ip route get</c>'s "dev").</summary>
    private static string? DeviceOf(IPAddress address)
    {
        try
        {
            return LocalAddresses.InterfaceName(PolicyRouting.LookupOnce(address).OutputInterface);
        }
        catch (NetlinkException)
        {
            return null;
        }
    }
}
