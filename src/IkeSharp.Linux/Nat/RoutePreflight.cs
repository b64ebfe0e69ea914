using System.Net;
using IkeSharp.Linux.Userspace;

namespace IkeSharp.Linux.Nat;

/// <summary>
/// The hosts a NAT policy sends traffic to must be reachable from the gateway: the DNAT targets,
/// and the internal sources that replies go back to. Found missing at startup, a route would
/// otherwise show up as a tunnel that is up but carries nothing back.
/// </summary>
public static class RoutePreflight
{
    /// <summary>One line per unreachable address, naming the tunnel, the key and the fix; empty when all are routed.</summary>
    public static IReadOnlyList<string> Check(IEnumerable<NatPolicy> policies, Func<IPAddress, bool>? routed = null)
    {
        routed ??= HasRoute;
        var problems = new List<string>();
        foreach (var policy in policies)
        {
            var targets = policy.DnatMap.Select(m => (Address: m.To, Key: "dnat_map"))
                .Concat(policy.DnatTarget is { } t ? [(t, "dnat_to")] : [])
                .Concat(policy.InternalSources.Select(s => (IPNetwork.Parse(s).BaseAddress, "snat_sources")));
            foreach (var (address, key) in targets.Distinct())
            {
                if (!routed(address))
                {
                    problems.Add($"{policy.Tunnel}.nat.{key}: this host has no route to {address} (add one, e.g. 'ip route add {address}/32 via GATEWAY', or correct {key})");
                }
            }
        }

        return problems;
    }

    private static bool HasRoute(IPAddress address)
    {
        try
        {
            _ = IpCommand.Output("-o", "route", "get", address.ToString());
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
