using System.Diagnostics;
using System.Text;
using IkeSharp.Config;

namespace IkeSharp.Linux.Nat;

/// <summary>
/// Applies NAT policies as one nftables table owned by IkeSharp (<c>table ip ikesharp</c>), replaced
/// in a single atomic transaction and deleted on stop; other tables and rules are never touched.
/// SNAT runs in postrouting, so it has happened before the user-space datapath (or XFRM's output
/// lookup) matches the packet against the tunnel's selectors.
/// </summary>
public static class NftablesNat
{
    public const string Table = "ikesharp";

    /// <summary>The nft script for the policies (also what <c>ikesharp config check</c> can show).</summary>
    public static string Render(IReadOnlyList<NatPolicy> policies, EgressPolicy? egress = null)
    {
        var script = new StringBuilder();
        // Creating then deleting makes the replace idempotent inside one transaction.
        script.AppendLine($"table ip {Table}");
        script.AppendLine($"delete table ip {Table}");
        script.AppendLine($"table ip {Table} {{");
        script.AppendLine("    chain prerouting {");
        script.AppendLine("        type nat hook prerouting priority dstnat; policy accept;");
        foreach (var p in policies)
        {
            var services = p.DnatServices.IsEmpty ? [new NatService("any", null)] : p.DnatServices;
            foreach (var (from, to) in p.DnatMap)
            {
                foreach (var service in services)
                {
                    script.AppendLine($"        ip saddr {from} ip daddr {p.PublicIp} {Match(service)}dnat to {to} comment \"{p.Tunnel}\"");
                }
            }

            if (p.DnatTarget is null)
            {
                continue;
            }

            var fromRemote = p.RemoteSubnets.IsEmpty ? "" : $"ip saddr {{ {string.Join(", ", p.RemoteSubnets)} }} ";
            foreach (var service in services)
            {
                script.AppendLine($"        {fromRemote}ip daddr {p.PublicIp} {Match(service)}dnat to {p.DnatTarget} comment \"{p.Tunnel}\"");
            }
        }

        script.AppendLine("    }");
        script.AppendLine("    chain postrouting {");
        script.AppendLine("        type nat hook postrouting priority srcnat; policy accept;");
        foreach (var p in policies.Where(p => !p.InternalSources.IsEmpty))
        {
            script.AppendLine($"        ip saddr {{ {string.Join(", ", p.InternalSources)} }} ip daddr {{ {string.Join(", ", p.RemoteSubnets)} }} snat to {p.PublicIp} comment \"{p.Tunnel}\"");
        }

        if (egress is not null)
        {
            var tunnelled = policies.SelectMany(p => p.RemoteSubnets).Distinct().ToList();
            var exempt = tunnelled.Count == 0 ? "" : $"ip daddr != {{ {string.Join(", ", tunnelled)} }} ";
            script.AppendLine($"        oifname \"{egress.Interface}\" ip saddr {{ {string.Join(", ", egress.Sources)} }} {exempt}masquerade comment \"internet egress\"");
        }

        script.AppendLine("    }");
        script.AppendLine("    chain forward {");
        script.AppendLine("        type filter hook forward priority filter; policy accept;");
        foreach (var p in policies)
        {
            // What reaches the public IP without matching a DNAT rule (a refused service) goes no further.
            script.AppendLine($"        ip daddr {p.PublicIp} ct status & dnat == 0 drop comment \"{p.Tunnel}: not a forwarded service\"");
        }

        script.AppendLine("    }");
        script.AppendLine("}");
        return script.ToString();
    }

    public static void Apply(IReadOnlyList<NatPolicy> policies, EgressPolicy? egress) => Nft(Render(policies, egress));

    public static void Remove()
    {
        try
        {
            Nft($"delete table ip {Table}\n");
        }
        catch (IOException)
        {
            // not there: nothing of ours to remove
        }
    }

    private static string Match(NatService service) => service switch
    {
        { Protocol: "any" } => "",
        { Protocol: "icmp" } => "meta l4proto icmp ",
        { Port: { } port } => $"{service.Protocol} dport {port} ",
        _ => $"meta l4proto {service.Protocol} ",
    };

    private static void Nft(string script)
    {
        var start = new ProcessStartInfo("nft", "-f -") { RedirectStandardInput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new IOException("cannot run nft (apt-get install nftables)");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            // No nft binary on PATH: an operator's fix, not a crash.
            throw new IOException($"cannot run nft: {e.Message} (apt-get install nftables)", e);
        }

        using (process)
        {
            process.StandardInput.Write(script);
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new IOException($"nft rejected IkeSharp's NAT table: {error.Trim()}");
            }
        }
    }
}
