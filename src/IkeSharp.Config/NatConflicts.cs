using System.Net;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Protocol;

namespace IkeSharp.Config;

/// <summary>
/// NAT mappings that contradict each other or their tunnel, refused at load: nftables applies the
/// first rule that matches a packet, so an overlapping second mapping would be ignored without a
/// word, and a DNAT rule for the gateway's own IKE address could take the peer's IKE and ESP away.
/// </summary>
internal static class NatConflicts
{
    /// <param name="line">The line of a tunnel's <c>nat</c> key, or of its <c>nat</c> block when the key is absent.</param>
    public static void Check(IReadOnlyList<NatPolicy> policies, IReadOnlyList<TunnelConfig> tunnels, string file, Func<string, string, int> line)
    {
        ConfigException Conflict(NatPolicy policy, string key, string problem, string fix) => new(file, line(policy.Tunnel, key), $"{policy.Tunnel}.nat.{key}", problem, fix);

        var rules = new List<DnatRule>();
        foreach (var policy in policies)
        {
            var tunnel = tunnels.Single(t => t.Name == policy.Tunnel);
            var remote = tunnel.Children.SelectMany(c => c.RemoteTrafficSelectors).ToList();
            var local = tunnel.Children.SelectMany(c => c.LocalTrafficSelectors).ToList();
            if (!TrafficSelectorNarrowing.IsSubset([TrafficSelectorNarrowing.FromPrefix(policy.PublicIp.ToString())], local))
            {
                throw Conflict(policy, "public_ip", $"no child's local_ts ({string.Join(", ", local)}) includes {policy.PublicIp}: traffic NATed to or from it would not match the tunnel",
                    "leave local_ts out (it defaults to public_ip/32), or add public_ip to it");
            }

            foreach (var (from, to) in policy.DnatMap)
            {
                var source = TrafficSelectorNarrowing.FromPrefix(from);
                if (!TrafficSelectorNarrowing.IsSubset([source], remote))
                {
                    throw Conflict(policy, "dnat_map", $"{from} is not inside the tunnel's remote_ts ({string.Join(", ", remote)}): nothing from it arrives through the tunnel",
                        "correct the address, or add it to a child's remote_ts");
                }

                if (policy.PublicIp.Equals(tunnel.LocalAddress) && tunnel.RemoteAddresses.FirstOrDefault(peer => Overlap([source], [TrafficSelectorNarrowing.FromPrefix(peer.ToString())]) is not null) is { } covered)
                {
                    throw Conflict(policy, "dnat_map", $"{policy.PublicIp} is also the gateway's IKE address (local_addrs) and {from} includes the peer {covered}: forwarding it would capture the peer's IKE and ESP",
                        "use an Elastic IP that is not the IKE address, or map only the peer's protected hosts");
                }

                rules.Add(new DnatRule(policy, "dnat_map", [source], to));
            }

            if (policy.DnatTarget is { } target)
            {
                rules.Add(new DnatRule(policy, "dnat_to", remote, target));
            }
        }

        for (var i = 0; i < rules.Count; i++)
        {
            foreach (var later in rules.Skip(i + 1))
            {
                var first = rules[i];
                // Within one tunnel, dnat_map is meant to override dnat_to for its sources (its rules come first).
                var overrides = first.Policy == later.Policy && first.Key != later.Key;
                if (!overrides && first.Policy.PublicIp.Equals(later.Policy.PublicIp) && !first.Target.Equals(later.Target) && Overlap(first.Sources, later.Sources) is { } both)
                {
                    throw Conflict(later.Policy, later.Key, $"traffic from {both} to {later.Policy.PublicIp} would go to {later.Target} here and to {first.Target} by {first.Policy.Tunnel}.nat.{first.Key}; only the first rule would apply",
                        "make the mapped sources disjoint, or map them to one host");
                }
            }
        }

        var snat = policies.Where(p => !p.InternalSources.IsEmpty).ToList();
        for (var i = 0; i < snat.Count; i++)
        {
            foreach (var later in snat.Skip(i + 1).Where(p => !p.PublicIp.Equals(snat[i].PublicIp)))
            {
                var first = snat[i];
                if (Overlap(Selectors(first.InternalSources), Selectors(later.InternalSources)) is { } sources
                    && Overlap(Selectors(first.RemoteSubnets), Selectors(later.RemoteSubnets)) is { } remote)
                {
                    throw Conflict(later, "snat_sources", $"traffic from {sources} to {remote} would leave as {later.PublicIp} here and as {first.PublicIp} by tunnel {first.Tunnel}; only the first rule would apply",
                        "make the tunnels' snat_sources or remote_ts disjoint");
                }
            }
        }
    }

    private static List<TrafficSelector> Selectors(IEnumerable<string> prefixes) => [.. prefixes.Select(p => TrafficSelectorNarrowing.FromPrefix(p))];

    /// <summary>The first part two lists of selectors share, or null when they are disjoint.</summary>
    private static TrafficSelector? Overlap(IReadOnlyList<TrafficSelector> a, IReadOnlyList<TrafficSelector> b)
        => a.SelectMany(x => b.Select(y => TrafficSelectorNarrowing.Intersect(x, y))).FirstOrDefault(x => x is not null);

    /// <summary>One DNAT rule as nftables will see it: traffic from <see cref="Sources"/> to the policy's public IP goes to <see cref="Target"/>.</summary>
    private sealed record DnatRule(NatPolicy Policy, string Key, IReadOnlyList<TrafficSelector> Sources, IPAddress Target);
}
