using System.Text;

namespace IkeSharp.Config.Import;

/// <summary>
/// Converts strongSwan's swanctl.conf (connections with local/remote auth rounds and children, and
/// the secrets block) to IkeSharp's native config. The syntax is the same, so the file is parsed
/// with <see cref="ConfigSyntax"/>; what differs is the structure, mapped key by key below.
/// </summary>
public static class SwanctlImporter
{
    private static readonly Dictionary<string, string> ConnectionKeys = new()
    {
        ["local_addrs"] = "local_addrs",
        ["remote_addrs"] = "remote_addrs",
        ["remote_port"] = "remote_port",
        ["proposals"] = "ike_proposals",
        ["encap"] = "encap",
        ["dpd_delay"] = "dpd_delay",
        ["keyingtries"] = "keyingtries",
        ["rekey_time"] = "rekey_time",
        ["reauth_time"] = "reauth_time",
        ["over_time"] = "over_time",
        ["rand_time"] = "rand_time",
    };

    private static readonly Dictionary<string, string> ChildKeys = new()
    {
        ["local_ts"] = "local_ts",
        ["remote_ts"] = "remote_ts",
        ["esp_proposals"] = "esp_proposals",
        ["rekey_time"] = "rekey_time",
        ["life_time"] = "life_time",
        ["rand_time"] = "rand_time",
        ["rekey_bytes"] = "rekey_bytes",
        ["life_bytes"] = "life_bytes",
        ["rekey_packets"] = "rekey_packets",
        ["life_packets"] = "life_packets",
    };

    public static ImportResult Import(string swanctlConf, string file)
    {
        // swanctl.conf holds the secrets too: a syntax error must not repeat a line that may be one.
        var root = ConfigSyntax.Parse(swanctlConf, file, echoContent: false);
        var report = new List<string>();
        var config = NativeText.Config(file);
        var secrets = new StringBuilder("secrets {\n");
        var secretSections = root.Section("secrets")?.Sections ?? [];
        var psks = secretSections.Where(s => s.Name.StartsWith("ike", StringComparison.Ordinal)).ToList();
        var usedPsks = new HashSet<ConfigSection>();
        foreach (var connection in root.Section("connections")?.Sections ?? [])
        {
            ImportConnection(connection, config, secrets, psks, usedPsks, report);
        }

        foreach (var secret in secretSections.Where(s => !usedPsks.Contains(s)))
        {
            report.Add($"{secret.File}:{secret.Line}: secret '{secret.Name}' not carried over: {SecretReason(secret)}");
        }

        foreach (var other in root.Sections.Where(s => s.Name is not ("connections" or "secrets")))
        {
            report.Add($"{file}:{other.Line}: block '{other.Name}' not carried over: IkeSharp has no equivalent (pools and authorities are not supported)");
        }

        config.AppendLine("}");
        secrets.AppendLine("}");
        return new ImportResult(config.ToString(), secrets.ToString(), report);
    }

    private static string SecretReason(ConfigSection secret) => secret.Name switch
    {
        var n when n.StartsWith("ike", StringComparison.Ordinal) => "no imported connection uses it",
        var n when n.StartsWith("private", StringComparison.Ordinal) || n.StartsWith("rsa", StringComparison.Ordinal)
            || n.StartsWith("ecdsa", StringComparison.Ordinal) || n.StartsWith("pkcs8", StringComparison.Ordinal)
            => $"set local_key to the key file{(secret.Entry("file") is { } file ? $" ({file.Value}, in /etc/swanctl's private/, rsa/ or ecdsa/ directory)" : "")}; a passphrase is not carried over (IkeSharp reads unencrypted PEM keys)",
        _ => "IkeSharp has no use for it (no EAP, XAUTH, PKCS#12 or smartcards)",
    };

    private static void ImportConnection(ConfigSection connection, StringBuilder config, StringBuilder secrets, List<ConfigSection> psks, HashSet<ConfigSection> usedPsks, List<string> report)
    {
        var name = connection.Name;
        void Skip(ConfigEntry entry, string why) => report.Add($"{connection.File}:{entry.Line}: {name}.{entry.Key} = {entry.Value} not carried over: {why}");

        config.AppendLine($"    {name} {{");
        foreach (var entry in connection.Entries)
        {
            if (entry.Key == "version")
            {
                if (entry.Value is not ("2" or "0"))
                {
                    Skip(entry, "IkeSharp speaks IKEv2 only");
                }

                continue;
            }

            if (ConnectionKeys.TryGetValue(entry.Key, out var native))
            {
                var value = native == "keyingtries" && entry.Value == "0" ? "%forever" : entry.Value;
                if (native == "local_addrs" && value == "%any")
                {
                    continue;
                }

                config.AppendLine($"        {native} = {Quote(value)}");
            }
            else
            {
                Skip(entry, "no IkeSharp equivalent");
            }
        }

        var local = connection.Sections.FirstOrDefault(s => s.Name.StartsWith("local", StringComparison.Ordinal));
        var remote = connection.Sections.FirstOrDefault(s => s.Name.StartsWith("remote", StringComparison.Ordinal));
        var auth = local?.Entry("auth")?.Value ?? remote?.Entry("auth")?.Value ?? "psk";
        ReportUnused(connection, local, ["auth", "id", "certs", "pubkeys"], report);
        ReportUnused(connection, remote, ["auth", "id", "pubkeys", "cacerts"], report);
        foreach (var other in connection.Sections.Where(s => s != local && s != remote && s.Name != "children"))
        {
            report.Add($"{connection.File}:{other.Line}: {name}.{other.Name} not carried over: " +
                (other.Name.StartsWith("local", StringComparison.Ordinal) || other.Name.StartsWith("remote", StringComparison.Ordinal) ? "IkeSharp does one authentication round per side" : "no IkeSharp equivalent"));
        }

        var nativeAuth = auth.StartsWith("pubkey", StringComparison.Ordinal) || auth.StartsWith("rsa", StringComparison.Ordinal) || auth.StartsWith("ecdsa", StringComparison.Ordinal) ? "pubkey" : auth;
        config.AppendLine($"        auth = {nativeAuth}");
        if (nativeAuth is not ("psk" or "pubkey") && (local?.Entry("auth") ?? remote?.Entry("auth")) is { } authEntry)
        {
            // Written as it is, so that loading the config stops at this tunnel until it is changed.
            report.Add($"{connection.File}:{authEntry.Line}: {name}.auth = {auth} not carried over: IkeSharp authenticates with psk or pubkey only");
        }
        if (local?.Entry("id") is { } localId)
        {
            config.AppendLine($"        local_id = {Quote(localId.Value)}");
        }

        if (remote?.Entry("id") is { } remoteId)
        {
            config.AppendLine($"        remote_id = {Quote(remoteId.Value)}");
        }

        if (local?.Entry("certs") is { } certs)
        {
            config.AppendLine($"        local_cert = /etc/swanctl/x509/{certs.Value}");
            report.Add($"{connection.File}:{certs.Line}: {name}: set local_key to the private key of {certs.Value} (swanctl loads it from its private/ directory, which is not read)");
        }

        if (local?.Entry("pubkeys") is { } localKey)
        {
            report.Add($"{connection.File}:{localKey.Line}: {name}: set local_key to the private key that matches {localKey.Value}");
        }

        if (remote?.Entry("pubkeys") is { } pubkeys)
        {
            config.AppendLine($"        remote_pubkey = {string.Join(", ", pubkeys.Value.Split(',', StringSplitOptions.TrimEntries).Select(k => $"/etc/swanctl/pubkey/{k}"))}");
        }

        if (remote?.Entry("cacerts") is { } cacerts)
        {
            config.AppendLine($"        remote_ca = {string.Join(", ", cacerts.Value.Split(',', StringSplitOptions.TrimEntries).Select(k => $"/etc/swanctl/x509ca/{k}"))}");
        }
        else if (remote?.Entry("auth")?.Value == "pubkey" && remote.Entry("pubkeys") is null)
        {
            report.Add($"{connection.File}:{remote.Line}: {name}: the peer authenticates with a certificate; set remote_ca to the CA certificate(s) from /etc/swanctl/x509ca");
        }

        var children = connection.Section("children")?.Sections ?? [];
        // Per child in swanctl, per tunnel in IkeSharp: the first child's value is taken, a differing one reported.
        var tunnelWide = new Dictionary<string, (string Value, string Child)>();
        void TunnelWide(ConfigSection child, ConfigEntry entry)
        {
            if (!tunnelWide.TryGetValue(entry.Key, out var first))
            {
                tunnelWide[entry.Key] = (entry.Value, child.Name);
            }
            else if (first.Value != entry.Value)
            {
                report.Add($"{child.File}:{entry.Line}: {name}.children.{child.Name}.{entry.Key} = {entry.Value} not carried over: IkeSharp sets {entry.Key} per tunnel, and takes {first.Child}'s {first.Value}");
            }
        }

        config.AppendLine("        children {");
        foreach (var child in children)
        {
            config.AppendLine($"            {child.Name} {{");
            foreach (var entry in child.Entries)
            {
                if (ChildKeys.TryGetValue(entry.Key, out var native))
                {
                    config.AppendLine($"                {native} = {entry.Value}");
                }
                else if (entry.Key is "start_action" or "dpd_action" or "close_action")
                {
                    TunnelWide(child, entry);
                }
                else
                {
                    report.Add($"{child.File}:{entry.Line}: {name}.children.{child.Name}.{entry.Key} = {entry.Value} not carried over: {(entry.Key is "rand_bytes" or "rand_packets" ? "only rand_time randomises a limit in IkeSharp" : "no IkeSharp equivalent")}");
                }
            }

            config.AppendLine("            }");
        }

        config.AppendLine("        }");
        foreach (var key in new[] { "start_action", "dpd_action", "close_action" })
        {
            if (tunnelWide.TryGetValue(key, out var setting))
            {
                config.AppendLine($"        {key} = {setting.Value}");
            }
        }

        if (tunnelWide.TryGetValue("start_action", out var start) && start.Value != "none" && !tunnelWide.ContainsKey("close_action"))
        {
            // swanctl's close_action is none whatever the start action; IkeSharp's would follow it.
            config.AppendLine("        close_action = none");
            report.Add($"{connection.File}:{connection.Line}: {name}: close_action = none written, strongSwan's default: a tunnel the peer closes stays closed (IkeSharp's own default would follow start_action = {start.Value})");
        }

        config.AppendLine("    }");
        if (auth == "psk")
        {
            var remoteIdValue = remote?.Entry("id")?.Value;
            var secret = psks.FirstOrDefault(s => s.Entries.Any(e => e.Key.StartsWith("id", StringComparison.Ordinal) && e.Value == remoteIdValue))
                ?? psks.FirstOrDefault(s => !s.Entries.Any(e => e.Key.StartsWith("id", StringComparison.Ordinal)));
            if (secret?.Entry("secret") is { } value)
            {
                usedPsks.Add(secret);
                NativeText.AppendPsk(secrets, name, Quote(value.Value));
            }
            else
            {
                report.Add($"{connection.File}:{connection.Line}: {name}: no ike secret with id {remoteIdValue ?? "(any)"}; add its psk to the secrets file");
            }
        }
    }

    /// <summary>An authentication round's keys that the import does not read.</summary>
    private static void ReportUnused(ConfigSection connection, ConfigSection? round, string[] read, List<string> report)
    {
        foreach (var entry in round?.Entries.Where(e => !read.Contains(e.Key)) ?? [])
        {
            report.Add($"{connection.File}:{entry.Line}: {connection.Name}.{round!.Name}.{entry.Key} = {entry.Value} not carried over: no IkeSharp equivalent");
        }
    }

    private static string Quote(string value) => NativeText.Quote(value);
}
