using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using IkeSharp.Crypto;
using IkeSharp.Engine;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Protocol;

namespace IkeSharp.Config;

/// <summary>
/// Loads ikesharp.conf and its secrets file into <see cref="DaemonSettings"/>, validating every key.
/// Errors name the file, line and key and say how to fix it (docs/configuration.md lists every key).
/// </summary>
public static class ConfigLoader
{
    public const string DefaultSocket = "/run/ikesharp/ikesharp.sock";

    private static readonly string[] DaemonKeys = ["listen", "datapath", "secrets", "socket", "cookie_threshold", "block_threshold", "half_open_limit", "half_open_timeout", "tun_device", "replay_window", "sysctl", "egress_interface", "egress_sources", "log_file", "log_file_limit"];

    private static readonly string[] TunnelKeys =
    [
        "local_addrs", "remote_addrs", "remote_port", "local_id", "remote_id", "auth", "local_key", "local_cert", "remote_pubkey", "remote_ca", "remote_crl",
        "ike_proposals", "start_action", "keyingtries", "dpd_delay", "dpd_action", "encap", "retransmit_timeout",
        "retransmit_base", "retransmit_tries", "nat_keepalive", "allow_legacy_groups", "max_child_sas", "max_traffic_selectors", "rekey_time", "reauth_time", "over_time", "rand_time",
        "close_action", "make_before_break",
    ];

    private static readonly string[] ChildKeys = ["local_ts", "remote_ts", "esp_proposals", "rekey_time", "life_time", "rand_time", "rekey_bytes", "life_bytes", "rekey_packets", "life_packets"];

    private static readonly string[] NatKeys = ["public_ip", "snat_sources", "dnat_to", "dnat_map", "dnat_services"];

    /// <param name="secretsOverride">A secrets file given on the command line, instead of the config's <c>secrets</c> key.</param>
    /// <param name="socketOverride">A control socket path given on the command line.</param>
    /// <param name="logFileOverride">A log file given on the command line, instead of the config's <c>log_file</c> key.</param>
    public static DaemonSettings Load(string path, string? secretsOverride = null, string? socketOverride = null, string? logFileOverride = null)
    {
        var file = Path.GetFullPath(path);
        if (!File.Exists(file))
        {
            throw new ConfigException(file, 0, null, "config file not found", "pass the path of an existing file with --config");
        }

        var text = File.ReadAllText(file);
        if (Import.ImportedConfig.Detect(file, text, secretsOverride) is { } imported)
        {
            // strongSwan's swanctl.conf or an ipsec.conf: run from it directly, converted in memory.
            var secrets = imported.SecretsImported ? ConfigSyntax.Parse(imported.Result.Secrets, imported.SecretsFile, echoContent: false).Section("secrets")
                : File.Exists(imported.SecretsFile) ? LoadSecrets(imported.SecretsFile) : null;
            try
            {
                return Load(file, ConfigSyntax.Parse(imported.Result.Config, file), secrets, imported.SecretsFile, socketOverride, logFileOverride, [.. imported.Result.Report]);
            }
            catch (ConfigException e) when (e.File == file || (imported.SecretsImported && e.File == imported.SecretsFile))
            {
                throw imported.Explain(e);
            }
        }

        var root = ConfigSyntax.Parse(text, file, echoContent: !text.Contains("secrets", StringComparison.Ordinal));
        var daemonSection = root.Section("daemon");
        var secretsPath = secretsOverride ?? (daemonSection?.Entry("secrets") is { } s ? Resolve(file, s.Value) : Path.Combine(Path.GetDirectoryName(file)!, "secrets.conf"));
        return Load(file, root, File.Exists(secretsPath) ? LoadSecrets(secretsPath) : null, secretsPath, socketOverride, logFileOverride, []);
    }

    private static DaemonSettings Load(string file, ConfigSection root, ConfigSection? secrets, string secretsPath, string? socketOverride, string? logFileOverride, ImmutableArray<string> importReport)
    {
        CheckKnown(root, [], ["daemon", "tunnels"]);
        var daemon = root.Section("daemon") ?? new ConfigSection("daemon", 0, file);
        CheckKnown(daemon, DaemonKeys, []);

        var tunnelsSection = root.Section("tunnels") ?? throw new ConfigException(file, 1, "tunnels", "no 'tunnels' block", "add 'tunnels { name { ... } }' with at least one tunnel");
        CheckKnown(tunnelsSection, [], tunnelsSection.Sections.Select(t => t.Name).ToArray());
        var tunnels = tunnelsSection.Sections.Select(t => LoadTunnel(t, file, secrets, secretsPath)).ToImmutableArray();
        if (tunnels.IsEmpty)
        {
            throw new ConfigException(file, tunnelsSection.Line, "tunnels", "no tunnel is configured", "add a block 'name { remote_addrs = ... }' inside 'tunnels'");
        }

        var duplicate = tunnels.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ConfigException(file, tunnelsSection.Sections.Last(t => t.Name == duplicate.Key).Line, duplicate.Key, "tunnel name used twice", "give each tunnel its own name");
        }

        var listen = daemon.Entry("listen") is { } l
            ? [.. Split(l).Select(a => Address(file, l, a))]
            : tunnels.Where(t => t.LocalAddress is not null).Select(t => t.LocalAddress!).Distinct().ToImmutableArray();
        if (listen.IsEmpty)
        {
            throw new ConfigException(file, Math.Max(daemon.Line, 1), "listen", "no address to listen on", "set daemon { listen = ADDRESS } or local_addrs in a tunnel");
        }

        var engine = new EngineOptions
        {
            Tunnels = tunnels,
            CookieThreshold = daemon.Entry("cookie_threshold") is { } c ? Integer(file, c, 0, 100_000) : 10,
            BlockThreshold = daemon.Entry("block_threshold") is { } b ? Integer(file, b, 1, 100_000) : 5,
            HalfOpenLimit = daemon.Entry("half_open_limit") is { } limit ? Integer(file, limit, 1, 1_000_000) : 1000,
            HalfOpenTimeout = daemon.Entry("half_open_timeout") is { } h ? Duration(file, h) : TimeSpan.FromSeconds(30),
        };
        var datapath = daemon.Entry("datapath") is { } d ? Enumeration<DatapathKind>(file, d) : DatapathKind.Auto;
        if (datapath == DatapathKind.Userspace)
        {
            RefuseTraps(file, tunnelsSection, tunnels);
        }

        var nat = tunnelsSection.Sections.Where(t => t.Section("nat") is not null).Select(t => LoadNat(t, file, tunnels.Single(x => x.Name == t.Name))).ToImmutableArray();
        var shared = nat.Where(n => n.DnatTarget is not null).GroupBy(n => n.PublicIp).FirstOrDefault(g => g.Count() > 1);
        if (shared is not null)
        {
            var second = shared.Skip(1).First();
            throw new ConfigException(file, tunnelsSection.Sections.First(t => t.Name == second.Tunnel).Section("nat")!.Line, $"{second.Tunnel}.nat.public_ip",
                $"{shared.Key} is forwarded (dnat_to) by tunnels {string.Join(" and ", shared.Select(n => n.Tunnel))}: inbound traffic would have two destinations", "give each tunnel its own public_ip, or drop dnat_to from all but one");
        }

        NatConflicts.Check(nat, tunnels, file, (tunnel, key) => tunnelsSection.Sections.First(t => t.Name == tunnel).Section("nat") is { } n ? n.Entry(key)?.Line ?? n.Line : tunnelsSection.Line);
        if (daemon.Entry("egress_sources") is { } sources && daemon.Entry("egress_interface") is null)
        {
            throw new ConfigException(file, sources.Line, "egress_sources", "egress_sources without egress_interface masquerades nothing", "set egress_interface to the interface towards the internet, e.g. eth0");
        }

        var socket = socketOverride ?? (daemon.Entry("socket") is { } so ? Resolve(file, so.Value) : DefaultSocket);
        return new DaemonSettings(file, engine, listen, datapath, socket)
        {
            TunDevice = daemon.Entry("tun_device") is { } tun ? tun.Value : "iks0",
            ReplayWindow = daemon.Entry("replay_window") is { } rw ? Integer(file, rw, 32, 4096) : 128,
            NatPolicies = nat,
            ImportReport = importReport,
            Egress = daemon.Entry("egress_interface") is { } ei
                ? new EgressPolicy(ei.Value, daemon.Entry("egress_sources") is { } es ? [.. Split(es).Select(x => TrafficSelectorNarrowing.FromPrefix(x).ToString())]
                    : throw new ConfigException(file, ei.Line, "egress_sources", "egress_interface needs the internal subnets to masquerade", "set egress_sources, e.g. 20.0.0.0/16"))
                : null,
            LogFile = LoadLogFile(file, daemon, logFileOverride),
            ExplicitProposals = [.. tunnelsSection.Sections.Where(t => t.Entry("ike_proposals") is not null).Select(t => $"{t.Name}.ike_proposals"),
                .. tunnelsSection.Sections.SelectMany(t => t.Section("children")!.Sections.Where(c => c.Entry("esp_proposals") is not null).Select(c => $"{t.Name}.children.{c.Name}.esp_proposals"))],
            SetSysctls = daemon.Entry("sysctl") is { } sc && (sc.Value == "set" ? true : sc.Value == "check" ? false
                : throw new ConfigException(file, sc.Line, sc.Key, $"unknown value '{sc.Value}'", "use set (IkeSharp sets forwarding and redirects) or check (refuse to start, printing the command)")),
            SysctlLine = daemon.Entry("sysctl")?.Line ?? 0,
        };
    }

    private static LogFileSettings? LoadLogFile(string file, ConfigSection daemon, string? logFileOverride)
    {
        var limitEntry = daemon.Entry("log_file_limit");
        var limit = limitEntry is null ? LogFileSettings.DefaultSizeLimit : Size(file, limitEntry);
        if (logFileOverride is not null)
        {
            return new LogFileSettings(Path.GetFullPath(logFileOverride), limit, file, 0, "--log-file");
        }

        if (daemon.Entry("log_file") is { } entry)
        {
            return new LogFileSettings(Resolve(file, entry.Value), limit, file, entry.Line, entry.Key);
        }

        return limitEntry is null ? null
            : throw new ConfigException(file, limitEntry.Line, limitEntry.Key, "log_file_limit without a log_file", "set log_file = /var/log/ikesharp/ikesharpd.log, or remove log_file_limit");
    }

    private static TunnelConfig LoadTunnel(ConfigSection t, string file, ConfigSection? secrets, string secretsPath)
    {
        CheckKnown(t, TunnelKeys, ["children", "nat"]);
        ConfigEntry Required(string key, string fix) => t.Entry(key) ?? throw new ConfigException(file, t.Line, $"{t.Name}.{key}", "missing", fix);

        var local = t.Entry("local_addrs") is { } la ? Address(file, la, Split(la).Single()) : null;
        var remotes = t.Entry("remote_addrs") is { } ra && ra.Value != "%any" ? Split(ra).Select(a => Address(file, ra, a)).ToImmutableArray() : [];
        var auth = t.Entry("auth") is { } a ? a.Value : "psk";
        var (localAuth, remoteAuth) = auth switch
        {
            "psk" => PskAuth(t, file, secrets, secretsPath),
            "pubkey" => PublicKeyAuth(t, file, Required),
            _ => throw new ConfigException(file, t.Entry("auth")!.Line, $"{t.Name}.auth", $"unknown method '{auth}'", "use psk or pubkey"),
        };
        var localId = t.Entry("local_id") is { } lid ? Id(file, lid)
            : localAuth.Certificate is { } own ? new Identity(IdentificationType.ID_DER_ASN1_DN, own.SubjectName.RawData)
            : local is not null ? Identity.FromAddress(local)
            : throw new ConfigException(file, t.Line, $"{t.Name}.local_id", "missing, and no local_addrs to default it to", "set local_id (e.g. the Elastic IP) or local_addrs");
        var childrenSection = t.Section("children") ?? throw new ConfigException(file, t.Line, $"{t.Name}.children", "no children block", "add children { net { local_ts = ... remote_ts = ... } }");
        var publicIp = t.Section("nat")?.Entry("public_ip") is { } pip ? Address(file, pip, pip.Value) : null;
        var legacy = t.Entry("allow_legacy_groups") is { } alg && Boolean(file, alg);
        var children = childrenSection.Sections.Select(c => LoadChild(c, file, t.Name, publicIp, legacy)).ToImmutableArray();

        var startEntry = t.Entry("start_action");
        var startAction = startEntry is not null ? StartActionOf(file, startEntry, t.Name) : StartAction.None;
        if (startAction != StartAction.None && (local is null || remotes.IsEmpty))
        {
            var sa = startEntry!;
            throw new ConfigException(file, sa.Line, $"{t.Name}.start_action", $"'{sa.Value}' needs a local_addrs and a concrete remote_addrs to initiate to", "set both addresses, or use start_action = none");
        }

        var closeEntry = t.Entry("close_action");
        var closeAction = closeEntry is not null ? CloseActionOf(file, closeEntry, t.Name) : (CloseAction?)null;
        if (closeAction == CloseAction.Start && (local is null || remotes.IsEmpty))
        {
            throw new ConfigException(file, closeEntry!.Line, $"{t.Name}.close_action", $"'{closeEntry.Value}' needs a local_addrs and a concrete remote_addrs to initiate to once the peer closed the IKE SA",
                "set both addresses, or use close_action = none (the peer brings the tunnel back) or trap");
        }

        var retransmit = new RetransmitPolicy(
            t.Entry("retransmit_timeout") is { } rt ? Duration(file, rt) : RetransmitPolicy.Default.Timeout,
            t.Entry("retransmit_base") is { } rb ? Number(file, rb, 1.0, 10.0) : RetransmitPolicy.Default.Base,
            t.Entry("retransmit_tries") is { } rtr ? Integer(file, rtr, 0, 100) : RetransmitPolicy.Default.Tries);

        return new TunnelConfig
        {
            Name = t.Name,
            LocalAddress = local,
            RemoteAddresses = remotes,
            RemotePort = t.Entry("remote_port") is { } rp ? Integer(file, rp, 1, 65535) : UdpEncapsulation.IkePort,
            LocalIdentity = localId,
            RemoteIdentity = t.Entry("remote_id") is { } rid && rid.Value != "%any" ? Id(file, rid) : null,
            LocalAuth = localAuth,
            RemoteAuth = remoteAuth,
            IkeProposals = Proposals(file, t.Entry("ike_proposals"), t.Name, ProtocolId.IKE, legacy),
            Children = children,
            StartAction = startAction,
            CloseAction = closeAction,
            MakeBeforeBreak = t.Entry("make_before_break") is not { } mbb || Boolean(file, mbb),
            KeyingTries = t.Entry("keyingtries") is { } kt ? (kt.Value is "%forever" or "0" ? 0 : Integer(file, kt, 1, 1000)) : 3,
            DpdDelay = t.Entry("dpd_delay") is { } dd ? Duration(file, dd) : TimeSpan.FromSeconds(30),
            DpdAction = t.Entry("dpd_action") is { } da ? Enumeration<DpdAction>(file, da) : DpdAction.Clear,
            ForceEncapsulation = t.Entry("encap") is { } e && Boolean(file, e),
            Retransmit = retransmit,
            NatKeepalive = t.Entry("nat_keepalive") is { } nk ? Duration(file, nk) : TimeSpan.FromSeconds(20),
            AllowLegacyGroups = legacy,
            MaxChildSas = t.Entry("max_child_sas") is { } maxChildren ? Integer(file, maxChildren, 1, 10_000) : 64,
            MaxTrafficSelectors = t.Entry("max_traffic_selectors") is { } maxSelectors ? Integer(file, maxSelectors, 1, 1_000) : 16,
            IkeLifetime = LoadIkeLifetime(t, file),
        };
    }

    /// <summary>The user-space datapath has no trap policies (its TUN device sees no packet it has no SA for): a trap would never fire.</summary>
    private static void RefuseTraps(string file, ConfigSection tunnelsSection, ImmutableArray<TunnelConfig> tunnels)
    {
        foreach (var tunnel in tunnels)
        {
            var section = tunnelsSection.Sections.First(s => s.Name == tunnel.Name);
            var key = tunnel.StartAction == StartAction.Trap ? "start_action"
                : tunnel.EffectiveCloseAction == CloseAction.Trap ? "close_action"
                : tunnel.DpdAction == DpdAction.Trap ? "dpd_action"
                : null;
            if (key is not null)
            {
                var entry = section.Entry(key);
                throw new ConfigException(file, entry?.Line ?? section.Line, $"{tunnel.Name}.{key}", $"'{entry?.Value ?? "trap"}' needs trap policies, which datapath = userspace does not have",
                    $"use {key} = {(key == "close_action" ? "start or none" : key == "dpd_action" ? "restart or clear" : "start")}, or datapath = kernel");
            }
        }
    }

    /// <summary>The tunnel's rekey_time (default 4h), reauth_time (default off), over_time and rand_time, with strongSwan's defaults for what is missing.</summary>
    private static IkeLifetime LoadIkeLifetime(ConfigSection t, string file)
    {
        TimeSpan? Optional(string key) => t.Entry(key) is { } e ? Duration(file, e) : null;
        return IkeLifetime.Defaults(Optional("rekey_time") ?? IkeLifetime.Default.RekeyTime, Optional("reauth_time") ?? TimeSpan.Zero, Optional("over_time"), Optional("rand_time"));
    }

    private static ChildConfig LoadChild(ConfigSection c, string file, string tunnel, IPAddress? publicIp, bool allowLegacyGroups)
    {
        CheckKnown(c, ChildKeys, []);
        ImmutableArray<TrafficSelector> Selectors(string key)
        {
            if (key == "local_ts" && c.Entry(key) is null && publicIp is not null)
            {
                return [TrafficSelectorNarrowing.FromPrefix(publicIp.ToString())]; // the tunnel speaks for the public IP only
            }

            var entry = c.Entry(key) ?? throw new ConfigException(file, c.Line, $"{tunnel}.children.{c.Name}.{key}", "missing", $"set {key} to one or more subnets, e.g. 10.1.0.0/24");
            try
            {
                return [.. Split(entry).Select(s => TrafficSelectorNarrowing.FromPrefix(s))];
            }
            catch (FormatException ex)
            {
                throw new ConfigException(file, entry.Line, $"{tunnel}.children.{c.Name}.{key}", $"'{entry.Value}' is not a list of subnets: {ex.Message}", "write subnets as ADDRESS/PREFIX separated by commas");
            }
        }

        return new ChildConfig(c.Name, Selectors("local_ts"), Selectors("remote_ts"), Proposals(file, c.Entry("esp_proposals"), $"{tunnel}.children.{c.Name}", ProtocolId.ESP, allowLegacyGroups))
        {
            Lifetime = LoadLifetime(c, file, $"{tunnel}.children.{c.Name}"),
        };
    }

    /// <summary>
    /// rekey_* is the soft limit, life_* the hard one; a soft limit must come before its hard one.
    /// Times default as strongSwan's: rekey_time 1h (0 turns it off), life_time 10 % above it,
    /// rand_time the difference.
    /// </summary>
    private static ChildLifetime LoadLifetime(ConfigSection c, string file, string path)
    {
        ulong Count(string key) => c.Entry(key) is { } e
            ? ulong.TryParse(e.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                : throw new ConfigException(file, e.Line, $"{path}.{key}", $"'{e.Value}' is not a whole number", "write a count, e.g. 1000000000 (0 for no limit)")
            : 0;
        var life = c.Entry("life_time") is { } lt ? Duration(file, lt) : (TimeSpan?)null;
        var rekey = c.Entry("rekey_time") is { } rt ? Duration(file, rt) : life is { } l ? l * 10 / 11 : ChildLifetime.Default.RekeyTime;
        life ??= rekey * 11 / 10;
        var rand = c.Entry("rand_time") is { } rd ? Duration(file, rd) : life.Value > rekey && rekey > TimeSpan.Zero ? life.Value - rekey : TimeSpan.Zero;
        var lifetime = new ChildLifetime(
            rekey,
            life.Value,
            Count("rekey_bytes"),
            Count("life_bytes"),
            Count("rekey_packets"),
            Count("life_packets"),
            rand);
        foreach (var (soft, hard, name) in new[]
        {
            ((ulong)lifetime.RekeyTime.TotalSeconds, (ulong)lifetime.LifeTime.TotalSeconds, "time"),
            (lifetime.RekeyBytes, lifetime.LifeBytes, "bytes"),
            (lifetime.RekeyPackets, lifetime.LifePackets, "packets"),
        })
        {
            if (soft != 0 && hard != 0 && soft >= hard)
            {
                var entry = c.Entry($"rekey_{name}")!;
                throw new ConfigException(file, entry.Line, $"{path}.rekey_{name}", $"rekey_{name} must be below life_{name}", $"make life_{name} larger than rekey_{name} (strongSwan uses life = 1.1 x rekey)");
            }
        }

        return lifetime;
    }

    private static NatPolicy LoadNat(ConfigSection t, string file, TunnelConfig tunnel)
    {
        var n = t.Section("nat")!;
        CheckKnown(n, NatKeys, []);
        var where = $"{t.Name}.nat";
        var publicEntry = n.Entry("public_ip") ?? throw new ConfigException(file, n.Line, $"{where}.public_ip", "missing", "set public_ip to the Elastic IP the peer knows us by");
        var publicIp = Address(file, publicEntry, publicEntry.Value);
        string[] Subnets(string key) => n.Entry(key) is { } e ? [.. Split(e).Select(x => TrafficSelectorNarrowing.FromPrefix(x).ToString())] : [];
        var dnat = n.Entry("dnat_to") is { } d ? Address(file, d, d.Value) : null;
        if (dnat is not null && publicIp.Equals(tunnel.LocalAddress))
        {
            throw new ConfigException(file, publicEntry.Line, $"{where}.public_ip", $"{publicIp} is also the gateway's IKE address (local_addrs): forwarding it with dnat_to would capture IKE itself",
                "use an Elastic IP that is not the IKE address, or remove dnat_to");
        }

        var services = n.Entry("dnat_services") is { } svc
            ? Split(svc).Select(x => x.Split('/') switch
            {
                ["icmp"] => new NatService("icmp", null),
                [var proto] when proto is "tcp" or "udp" => new NatService(proto, null),
                [var proto, var port] when proto is "tcp" or "udp" && ushort.TryParse(port, out var p) => new NatService(proto, p),
                _ => throw new ConfigException(file, svc.Line, $"{where}.dnat_services", $"'{x}' is not a service", "write icmp, tcp, udp, tcp/PORT or udp/PORT, separated by commas"),
            }).ToImmutableArray()
            : [];
        var map = n.Entry("dnat_map") is { } m
            ? Split(m).Select(pair => pair.Split("->", StringSplitOptions.TrimEntries) is [var from, var to] && IPAddress.TryParse(to, out var target)
                ? (TrafficSelectorNarrowing.FromPrefix(from).ToString(), target)
                : throw new ConfigException(file, m.Line, $"{where}.dnat_map", $"'{pair}' is not 'REMOTE -> INTERNAL'", "write e.g. 110.220.10.7 -> 172.16.0.5, 110.220.10.135 -> 172.16.0.6"))
                .ToImmutableArray()
            : [];
        return new NatPolicy(t.Name, publicIp, [.. Subnets("snat_sources")],
            [.. tunnel.Children.SelectMany(c => c.RemoteTrafficSelectors).Select(ts => ts.ToString()).Distinct()], dnat, services)
        {
            DnatMap = map,
        };
    }

    private static (AuthConfig Local, AuthConfig Remote) PskAuth(ConfigSection t, string file, ConfigSection? secrets, string secretsPath)
    {
        var entry = secrets?.Section(t.Name)?.Entry("psk")
            ?? throw new ConfigException(file, t.Entry("auth")?.Line ?? t.Line, $"{t.Name}.auth", $"psk authentication but no pre-shared key for '{t.Name}' in {secretsPath}",
                $"add 'secrets {{ {t.Name} {{ psk = ... }} }}' to {secretsPath} (mode 0600)");
        var psk = ParseSecret(entry, secretsPath, t.Name);
        return (AuthConfig.Psk(psk), AuthConfig.Psk(psk));
    }

    /// <summary>Raw public keys (<c>remote_pubkey</c>) or certificates (<c>local_cert</c>, <c>remote_ca</c>).</summary>
    private static (AuthConfig Local, AuthConfig Remote) PublicKeyAuth(ConfigSection t, string file, Func<string, string, ConfigEntry> required)
    {
        var localKey = required("local_key", "set local_key to our private key in PEM (PKCS#1, PKCS#8 or SEC1)");
        var remoteKeys = t.Entry("remote_pubkey");
        var remoteCa = t.Entry("remote_ca");
        if (remoteKeys is null && remoteCa is null)
        {
            throw new ConfigException(file, t.Entry("auth")!.Line, $"{t.Name}.auth", "pubkey authentication needs the peer's public key or its CA",
                "set remote_pubkey (files as made by 'openssl rsa -pubout') or remote_ca (CA certificates)");
        }

        ConfigEntry current = localKey;
        try
        {
            var keyPath = Resolve(file, localKey.Value);
            if (OpenToOthers(keyPath))
            {
                throw new ConfigException(file, localKey.Line, $"{t.Name}.local_key", $"private key file {keyPath} is readable or writable by group or others", $"chmod 600 {keyPath}");
            }

            var local = new AuthConfig(AuthKind.PublicKey) { PrivateKey = KeyLoader.LoadPrivateKey(keyPath) };
            if (t.Entry("local_cert") is { } cert)
            {
                current = cert;
                local = local with { Certificate = KeyLoader.LoadCertificate(Resolve(file, cert.Value)) };
            }

            var remote = new AuthConfig(AuthKind.PublicKey);
            if (remoteKeys is not null)
            {
                current = remoteKeys;
                // "0s..." is an RFC 3110 key written inline, as Openswan's rightrsasigkey= has it.
                remote = remote with
                {
                    TrustedPublicKeys = [.. Split(remoteKeys).Select(p => p.StartsWith("0s", StringComparison.Ordinal) || p.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                        ? KeyLoader.ParseRfc3110PublicKey(p) : KeyLoader.LoadPublicKey(Resolve(file, p)))],
                };
            }

            if (remoteCa is not null)
            {
                current = remoteCa;
                remote = remote with { TrustAnchors = [.. Split(remoteCa).Select(p => KeyLoader.LoadCertificate(Resolve(file, p)))] };
            }

            if (t.Entry("remote_crl") is { } crl)
            {
                current = crl;
                if (remoteCa is null)
                {
                    throw new ConfigException(file, crl.Line, $"{t.Name}.remote_crl", "CRLs are checked only for certificates, and this tunnel has no remote_ca", "set remote_ca, or remove remote_crl");
                }

                remote = remote with { RevocationLists = [.. Split(crl).Select(p => RevocationList.Load(Resolve(file, p)))] };
            }

            return (local, remote);
        }
        catch (KeyLoadException e)
        {
            throw new ConfigException(file, current.Line, $"{t.Name}.{current.Key}", e.Message, "point it at a PEM file of the right kind");
        }
    }

    private static ConfigSection LoadSecrets(string path)
    {
        if (OpenToOthers(path))
        {
            throw new ConfigException(path, 0, null, "secrets file is readable or writable by group or others", $"chmod 600 {path}");
        }

        var root = ConfigSyntax.Parse(File.ReadAllText(path), path, echoContent: false);
        return root.Section("secrets") ?? throw new ConfigException(path, 1, "secrets", "no 'secrets' block", "wrap the entries in 'secrets { TUNNEL { psk = ... } }'");
    }

    /// <summary>Whether a file of secrets (PSKs, a private key) lets group or others read or write it.</summary>
    private static bool OpenToOthers(string path) =>
        !OperatingSystem.IsWindows() && File.Exists(path)
        && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;

    /// <summary>strongSwan's notation: <c>0x</c> hex, <c>0s</c> base64, otherwise the text itself.</summary>
    private static byte[] ParseSecret(ConfigEntry entry, string file, string tunnel)
    {
        try
        {
            var bytes = entry.Value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Convert.FromHexString(entry.Value[2..])
                : entry.Value.StartsWith("0s", StringComparison.Ordinal) ? Convert.FromBase64String(entry.Value[2..])
                : Encoding.UTF8.GetBytes(entry.Value);
            return bytes.Length > 0 ? bytes : throw new FormatException("empty");
        }
        catch (FormatException)
        {
            throw new ConfigException(file, entry.Line, $"{tunnel}.psk", "not a valid secret", "write text, 0x followed by hex digits, or 0s followed by base64");
        }
    }

    private static ImmutableArray<ProposalSpec> Proposals(string file, ConfigEntry? entry, string where, ProtocolId protocol, bool allowLegacyGroups)
    {
        ImmutableArray<ProposalSpec> proposals;
        try
        {
            proposals = ProposalSyntax.Parse(entry?.Value ?? "default", protocol);
        }
        catch (FormatException e)
        {
            throw new ConfigException(file, entry!.Line, $"{where}.{entry.Key}", e.Message, "use strongSwan's syntax, e.g. aes256-sha256-modp2048 or aes256gcm16-prfsha384-x25519");
        }

        foreach (var transform in proposals.SelectMany(p => p.Transforms).Distinct())
        {
            var line = entry?.Line ?? 0;
            var key = $"{where}.{entry?.Key ?? (protocol == ProtocolId.IKE ? "ike_proposals" : "esp_proposals")}";
            if (!IsImplemented(transform))
            {
                throw new ConfigException(file, line, key, $"{AlgorithmKeywords.DisplayName(transform)} is not implemented by IkeSharp",
                    "use aes128/aes192/aes256, aes*gcm16, chacha20poly1305, sha1/sha256/sha384/sha512, modp2048+, ecp256/384/521, x25519, x448");
            }

            if (!allowLegacyGroups && IsLegacyGroup(transform))
            {
                throw new ConfigException(file, line, key, $"{AlgorithmKeywords.DisplayName(transform)} is a legacy group (RFC 8247 §2.4)",
                    "prefer modp2048 or ecp256; if the peer insists, set allow_legacy_groups = yes in this tunnel");
            }
        }

        return proposals;
    }

    /// <summary>Whether IkeSharp's crypto has the algorithm (legacy groups count as implemented).</summary>
    internal static bool IsImplemented(Transform transform) => transform.Type switch
    {
        TransformType.ENCR => AlgorithmCatalog.TryGetEncryption((EncryptionAlgorithm)transform.Id, transform.KeyLength ?? 0, out _),
        TransformType.INTEG => AlgorithmCatalog.TryGetIntegrity((IntegrityAlgorithm)transform.Id, out _),
        TransformType.PRF => Prf.IsSupported((PseudorandomFunction)transform.Id),
        TransformType.KE => KeyExchange.IsSupported((KeyExchangeMethod)transform.Id, allowLegacyGroups: true),
        _ => true,
    };

    /// <summary>MODP 768/1024/1536, which RFC 8247 deprecates: refused unless <c>allow_legacy_groups = yes</c>.</summary>
    internal static bool IsLegacyGroup(Transform transform)
        => transform.Type == TransformType.KE && !KeyExchange.IsSupported((KeyExchangeMethod)transform.Id, allowLegacyGroups: false);

    private static void CheckKnown(ConfigSection section, string[] keys, string[] sections)
    {
        foreach (var entry in section.Entries.Where(e => !keys.Contains(e.Key)))
        {
            throw new ConfigException(section.File, entry.Line, entry.Key, $"unknown key in '{(section.Name.Length == 0 ? "(top level)" : section.Name)}'", Suggest(entry.Key, keys));
        }

        foreach (var sub in section.Sections.Where(s => !sections.Contains(s.Name)))
        {
            throw new ConfigException(section.File, sub.Line, sub.Name, $"unknown block in '{(section.Name.Length == 0 ? "(top level)" : section.Name)}'", Suggest(sub.Name, sections));
        }
    }

    private static string Suggest(string word, string[] known)
    {
        var best = known.OrderBy(k => Distance(word, k)).FirstOrDefault();
        return best is not null && Distance(word, best) <= 3 ? $"did you mean '{best}'?" : $"known here: {string.Join(", ", known)}";
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
        }

        return d[a.Length, b.Length];
    }

    private static string[] Split(ConfigEntry entry) => entry.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string Resolve(string configFile, string path) => Path.IsPathRooted(path) ? path : Path.Combine(Path.GetDirectoryName(configFile)!, path);

    private static IPAddress Address(string file, ConfigEntry entry, string text)
        => IPAddress.TryParse(text, out var address) ? address
            : throw new ConfigException(file, entry.Line, entry.Key, $"'{text}' is not an IP address", "write an IPv4 or IPv6 address (host names are not resolved)");

    private static Identity Id(string file, ConfigEntry entry)
    {
        try
        {
            return Identity.Parse(entry.Value);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or CryptographicException)
        {
            throw new ConfigException(file, entry.Line, entry.Key, $"'{entry.Value}' is not an identity: {e.Message}", "use an IP address, @fqdn, user@domain, a DN like 'C=CH, O=Org, CN=gw', or @#hex");
        }
    }

    private static StartAction StartActionOf(string file, ConfigEntry entry, string tunnel) => entry.Value switch
    {
        "none" or "add" => StartAction.None,
        "start" => StartAction.Start,
        "trap" or "route" => StartAction.Trap,
        _ => throw new ConfigException(file, entry.Line, $"{tunnel}.{entry.Key}", $"unknown start action '{entry.Value}'", "use none, start or trap"),
    };

    /// <summary>strongSwan's names, with its 5.x aliases (clear, restart, hold/route).</summary>
    private static CloseAction CloseActionOf(string file, ConfigEntry entry, string tunnel) => entry.Value switch
    {
        "none" or "clear" => CloseAction.None,
        "start" or "restart" => CloseAction.Start,
        "trap" or "hold" or "route" => CloseAction.Trap,
        _ => throw new ConfigException(file, entry.Line, $"{tunnel}.{entry.Key}", $"unknown close action '{entry.Value}'", "use none, start or trap"),
    };

    private static T Enumeration<T>(string file, ConfigEntry entry)
        where T : struct, Enum
        => Enum.TryParse<T>(entry.Value, ignoreCase: true, out var value) && Enum.IsDefined(value) ? value
            : throw new ConfigException(file, entry.Line, entry.Key, $"unknown value '{entry.Value}'", $"use one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");

    private static bool Boolean(string file, ConfigEntry entry) => entry.Value switch
    {
        "yes" or "true" or "1" => true,
        "no" or "false" or "0" => false,
        _ => throw new ConfigException(file, entry.Line, entry.Key, $"'{entry.Value}' is not yes or no", "write yes or no"),
    };

    private static int Integer(string file, ConfigEntry entry, int min, int max)
        => int.TryParse(entry.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value
            : throw new ConfigException(file, entry.Line, entry.Key, $"'{entry.Value}' is not a whole number from {min} to {max}", $"write a number between {min} and {max}");

    private static double Number(string file, ConfigEntry entry, double min, double max)
        => double.TryParse(entry.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value
            : throw new ConfigException(file, entry.Line, entry.Key, $"'{entry.Value}' is not a number from {min} to {max}", $"write a number between {min} and {max}");

    /// <summary>A size in bytes: <c>1048576</c>, <c>512k</c>, <c>100M</c>, <c>1G</c> (powers of 1024); 0 means none.</summary>
    private static long Size(string file, ConfigEntry entry)
    {
        var text = entry.Value;
        var (number, unit) = text.Length > 0 && char.IsLetter(text[^1]) ? (text[..^1], char.ToUpperInvariant(text[^1])) : (text, 'B');
        var multiplier = unit switch { 'B' => 1L, 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 0 };
        return multiplier != 0 && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= long.MaxValue / multiplier ? value * multiplier
            : throw new ConfigException(file, entry.Line, entry.Key, $"'{text}' is not a size", "write bytes or a number with k, M or G, e.g. 100M (0 for no limit)");
    }

    /// <summary>strongSwan durations: <c>30</c> or <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>.</summary>
    private static TimeSpan Duration(string file, ConfigEntry entry)
    {
        var text = entry.Value;
        var unit = text.Length > 0 && char.IsLetter(text[^1]) ? text[^1] : 's';
        var number = char.IsLetter(text.Length > 0 ? text[^1] : '0') ? text[..^1] : text;
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0)
        {
            switch (unit)
            {
                case 's': return TimeSpan.FromSeconds(value);
                case 'm': return TimeSpan.FromMinutes(value);
                case 'h': return TimeSpan.FromHours(value);
                case 'd': return TimeSpan.FromDays(value);
            }
        }

        throw new ConfigException(file, entry.Line, entry.Key, $"'{text}' is not a duration", "write e.g. 30s, 5m, 1h");
    }
}
