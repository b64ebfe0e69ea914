using System.Text;
using System.Text.Json.Nodes;

namespace IkeSharp.Cli.Control;

/// <summary>Human-readable status in the layout of <c>swanctl --list-sas</c>.</summary>
internal static class StatusText
{
    public static string Render(JsonObject status)
    {
        var text = new StringBuilder();
        foreach (var tunnel in status["tunnels"]?.AsArray() ?? [])
        {
            text.AppendLine($"{tunnel!["name"]}: {tunnel["state"]} (remote {tunnel["remote_addrs"]})");
            foreach (var sa in tunnel["ike_sas"]!.AsArray())
            {
                var nat = (sa!["nat-local"]!.GetValue<bool>() ? " NAT-local" : "") + (sa["nat-remote"]!.GetValue<bool>() ? " NAT-remote" : "") + (sa["encap"]!.GetValue<bool>() ? " UDP-encap" : "");
                text.AppendLine($"  IKE SA {sa["state"]}, {sa["initiator-spi"]}_i {sa["responder-spi"]}_r{(sa["initiator"]!.GetValue<bool>() ? " (we initiated)" : "")}");
                text.AppendLine($"    local  '{sa["local-id"]}' @ {sa["local-host"]}[{sa["local-port"]}]");
                text.AppendLine($"    remote '{sa["remote-id"]}' @ {sa["remote-host"]}[{sa["remote-port"]}]{nat}");
                text.AppendLine($"    {sa["proposal"]}");
                if (sa["established"] is { } established)
                {
                    text.AppendLine($"    established {Ago(established.GetValue<long>())}{Limits(sa)}");
                }

                foreach (var child in sa["child-sas"]!.AsArray())
                {
                    text.AppendLine($"    {child!["name"]}: reqid {child["reqid"]}, {child["proposal"]}{Limits(child)}");
                    text.AppendLine($"      in  {child["spi-in"]}{Traffic(child, "in")}");
                    text.AppendLine($"      out {child["spi-out"]}{Traffic(child, "out")}");
                    text.AppendLine($"      local  {child["local-ts"]}");
                    text.AppendLine($"      remote {child["remote-ts"]}");
                }
            }
        }

        return text.ToString();
    }

    /// <summary>", rekeying in 50m, expires in 66m" as swanctl prints it; nothing for a limit that is not set.</summary>
    private static string Limits(JsonNode sa)
        => (sa["rekey-time"] is { } rekey ? $", rekeying in {Span(rekey.GetValue<long>())}" : "")
            + (sa["reauth-time"] is { } reauth ? $", reauthenticating in {Span(reauth.GetValue<long>())}" : "") + (sa["life-time"] is { } life ? $", expires in {Span(life.GetValue<long>())}" : "");

    private static string Span(long seconds) => seconds < 120 ? $"{seconds}s" : seconds < 7200 ? $"{seconds / 60}m" : $"{seconds / 3600}h {seconds % 3600 / 60}m";

    private static string Traffic(JsonNode child, string direction)
        => child[$"bytes-{direction}"] is { } bytes ? $", {bytes} bytes, {child[$"packets-{direction}"]} packets" : "";

    private static string Ago(long unixSeconds)
    {
        var seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - unixSeconds;
        return $"{Span(seconds)} ago";
    }
}
