using System.CommandLine;
using IkeSharp.Config;

namespace IkeSharp.Cli.Config;

/// <summary><c>ikesharp config check FILE</c>: validate a config and its secrets without starting anything.</summary>
internal static class ConfigCommands
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "ikesharp.conf to check" };
        var secrets = new Option<FileInfo?>("--secrets") { Description = "secrets file (default: as the daemon would find it)" };
        var check = new Command("check", "Validate a config file and its secrets; warn about weak choices") { file, secrets };
        check.SetAction(r => Check(r.GetValue(file)!, r.GetValue(secrets), Console.Out));
        return new Command("config", "Configuration tools") { check };
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
