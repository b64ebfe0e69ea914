using System.CommandLine;
using IkeSharp.Config;
using IkeSharp.Config.Import;

namespace IkeSharp.Cli.Config;

/// <summary>
/// <c>ikesharp config check FILE</c>: validate a config and its secrets without starting anything;
/// <c>ikesharp config import</c>: convert a swanctl.conf or an ipsec.conf.
/// </summary>
internal static class ConfigCommands
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "ikesharp.conf to check" };
        var secrets = new Option<FileInfo?>("--secrets") { Description = "secrets file (default: as the daemon would find it)" };
        var check = new Command("check", "Validate a config file and its secrets; warn about weak choices") { file, secrets };
        check.SetAction(r => Check(r.GetValue(file)!, r.GetValue(secrets), Console.Out));
        var swanctl = new Option<FileInfo?>("--swanctl") { Description = "strongSwan swanctl.conf to convert" };
        var ipsec = new Option<FileInfo?>("--ipsec") { Description = "ipsec.conf (strongSwan starter, Openswan, Libreswan) to convert" };
        var ipsecSecrets = new Option<FileInfo?>("--secrets") { Description = "with --ipsec: its ipsec.secrets (default: ipsec.secrets beside it)" };
        var defaultRoute = new Option<string?>("--defaultroute")
        {
            Description = "with --ipsec: the gateway's own address, used where ipsec.conf leaves it to the routing table (left=%defaultroute, %any or no left=)",
        };
        var output = new Option<DirectoryInfo?>("--out") { Description = "write ikesharp.conf and secrets.conf (mode 0600) here instead of printing them" };
        var import = new Command("import", "Convert a swanctl.conf or an ipsec.conf with its ipsec.secrets to IkeSharp's config, reporting what could not be carried over")
        {
            swanctl, ipsec, ipsecSecrets, defaultRoute, output,
        };
        import.SetAction(r => Import(new ImportSources(r.GetValue(swanctl), r.GetValue(ipsec), r.GetValue(ipsecSecrets), r.GetValue(defaultRoute)), r.GetValue(output), Console.Out));
        return new Command("config", "Configuration tools") { check, import };
    }

    /// <summary>What <c>config import</c> converts: a swanctl.conf, or an ipsec.conf with its secrets.</summary>
    internal sealed record ImportSources(FileInfo? Swanctl, FileInfo? Ipsec = null, FileInfo? IpsecSecrets = null, string? DefaultRoute = null);

    internal static int Import(ImportSources sources, DirectoryInfo? output, TextWriter console)
    {
        if ((sources.Swanctl is null) == (sources.Ipsec is null) || !(sources.Swanctl ?? sources.Ipsec)!.Exists)
        {
            console.WriteLine("error: give one existing file to convert: --swanctl swanctl.conf or --ipsec ipsec.conf");
            return 2;
        }

        System.Net.IPAddress? defaultRoute = null;
        if (sources.DefaultRoute is not null && !System.Net.IPAddress.TryParse(sources.DefaultRoute, out defaultRoute))
        {
            console.WriteLine($"error: --defaultroute {sources.DefaultRoute} is not an IP address");
            return 2;
        }

        ImportResult result;
        try
        {
            if (sources.Ipsec is { } ipsec)
            {
                var secretsFile = sources.IpsecSecrets?.FullName ?? Path.Combine(ipsec.DirectoryName!, "ipsec.secrets");
                result = IpsecConfImporter.Import(File.ReadAllText(ipsec.FullName), ipsec.FullName,
                    File.Exists(secretsFile) ? File.ReadAllText(secretsFile) : null, secretsFile, defaultRoute);
            }
            else
            {
                result = SwanctlImporter.Import(File.ReadAllText(sources.Swanctl!.FullName), sources.Swanctl.FullName);
            }
        }
        catch (ConfigException e)
        {
            console.WriteLine($"error: {e.Message}");
            return 1;
        }

        if (output is null)
        {
            console.Write(result.Config);
            console.WriteLine("# --- secrets.conf (keep it mode 0600) ---");
            console.Write(result.Secrets);
            foreach (var (name, content) in result.Files)
            {
                console.WriteLine($"# --- {name} (keep it mode 0600) ---");
                console.Write(content);
            }
        }
        else
        {
            output.Create();
            File.WriteAllText(Path.Combine(output.FullName, "ikesharp.conf"), result.Config);
            var secretsPath = Path.Combine(output.FullName, "secrets.conf");
            WritePrivate(secretsPath, result.Secrets);
            foreach (var (name, content) in result.Files)
            {
                WritePrivate(Path.Combine(output.FullName, name), content);
            }

            var written = result.Files.Keys.Prepend("secrets.conf").Prepend("ikesharp.conf").Select(n => Path.Combine(output.FullName, n));
            console.WriteLine($"wrote {string.Join(", ", written)}");
        }

        foreach (var line in result.Report)
        {
            console.WriteLine($"report: {line}");
        }

        return 0;
    }

    /// <summary>Writes a file that holds secrets: its mode is 0600 before any secret is in it.</summary>
    private static void WritePrivate(string path, string content)
    {
        File.WriteAllText(path, "");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path, content);
    }

    internal static int Check(FileInfo file, FileInfo? secrets, TextWriter output)
    {
        DaemonSettings settings;
        try
        {
            settings = ConfigLoader.Load(file.FullName, secrets?.FullName);
        }
        catch (ConfigException e)
        {
            output.WriteLine($"error: {e.Message}");
            return 1;
        }

        foreach (var tunnel in settings.Engine.Tunnels)
        {
            output.WriteLine($"tunnel {tunnel.Name}: {tunnel.LocalAddress?.ToString() ?? "%any"} -> {(tunnel.RemoteAddresses.IsEmpty ? "%any" : string.Join(",", tunnel.RemoteAddresses))}, " +
                $"{tunnel.LocalAuth}, start_action {tunnel.StartAction.ToString().ToLowerInvariant()}");
            output.WriteLine($"  ike: {string.Join(", ", tunnel.IkeProposals)}");
            foreach (var child in tunnel.Children)
            {
                output.WriteLine($"  child {child.Name}: {string.Join(" ", child.LocalTrafficSelectors)} === {string.Join(" ", child.RemoteTrafficSelectors)}; {string.Join(", ", child.EspProposals)}");
            }
        }

        foreach (var policy in settings.NatPolicies)
        {
            output.WriteLine($"nat {policy.Tunnel}: leaves as {policy.PublicIp}");
        }

        var warnings = ConfigAdvice.Warnings(settings);
        foreach (var warning in warnings)
        {
            output.WriteLine($"warning: {warning}");
        }

        output.WriteLine($"{file.FullName}: OK ({settings.Engine.Tunnels.Length} tunnel(s), {warnings.Count} warning(s))");
        return 0;
    }
}
