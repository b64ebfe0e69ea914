using System.Globalization;
using System.Net;
using System.Text;
using IkeSharp.Protocol;

namespace IkeSharp.Config.Import;

/// <summary>
/// Converts an ipsec.conf (strongSwan's starter, Openswan, Libreswan) and its ipsec.secrets to
/// IkeSharp's native config: every conn that starter would load becomes a tunnel, with the
/// settings it inherits from <c>conn %default</c> and <c>also=</c>. Left is the local side (right,
/// when only <c>right=%defaultroute</c> says so). Nothing on the host is looked at besides the
/// files named: <c>%defaultroute</c> stays unresolved unless the caller says what it stands for.
/// docs/configuration.md lists what maps to what; everything else gets a report line.
/// </summary>
public static class IpsecConfImporter
{
    /// <param name="ipsecConf">The text of ipsec.conf; its <c>include</c> lines are read from disk relative to <paramref name="file"/>.</param>
    /// <param name="secrets">The text of ipsec.secrets, or null when there is none.</param>
    /// <param name="defaultRoute">
    /// The gateway's address towards its peers, when the caller knows it: it stands in where ipsec.conf
    /// leaves the local address to the routing table (<c>left=%defaultroute</c>, <c>%any</c> or no <c>left=</c>).
    /// </param>
    /// <exception cref="ConfigException">The file is not ipsec.conf syntax, or an <c>also=</c> names no conn.</exception>
    public static ImportResult Import(string ipsecConf, string file, string? secrets, string secretsFile, IPAddress? defaultRoute = null)
    {
        var conf = IpsecConf.Parse(ipsecConf, file);
        var report = new List<string>(conf.Notes);
        var entries = secrets is null ? [] : IpsecSecrets.Parse(secrets, secretsFile, report);
        if (secrets is null)
        {
            report.Add($"{secretsFile}: not found: pre-shared keys and private keys must be added by hand");
        }

        foreach (var setting in conf.Setup.Settings.Values)
        {
            report.Add($"{setting.Location}: config setup: {setting.Key}={setting.Value} not carried over: {SetupReason(setting.Key)}");
        }

        foreach (var ca in conf.Cas)
        {
            report.Add($"{ca.File}:{ca.Line}: ca {ca.Name} not carried over: set remote_ca in the tunnels that need it to the CA's certificate file");
        }

        var config = NativeText.Config(file);
        var secretsText = new StringBuilder("secrets {\n");
        var used = new HashSet<IpsecSecret>();
        var files = new Dictionary<string, string>();
        foreach (var conn in conf.Conns.Where(c => c.Name != "%default"))
        {
            new ConnImport(conn, conf.Resolve(conn), entries, used, report, files, file, defaultRoute).Write(config, secretsText);
        }

        foreach (var entry in entries.Where(e => !used.Contains(e)))
        {
            report.Add($"{entry.Location}: {entry.Type} secret not carried over: {(entry.Type is "PSK" or "RSA" or "ECDSA" ? "no imported conn uses it" : $"IkeSharp has no use for {entry.Type} secrets (no EAP, XAUTH or smartcards)")}");
        }

        config.AppendLine("}");
        secretsText.AppendLine("}");
        return new ImportResult(config.ToString(), secretsText.ToString(), report) { Files = files };
    }

    private static string SetupReason(string key) => key switch
    {
        "protostack" or "interfaces" => "IkeSharp picks its datapath itself (daemon { datapath = ... })",
        "nat_traversal" or "nat-traversal" => "NAT traversal is always on",
        "plutodebug" or "charondebug" or "klipsdebug" or "plutostderrlog" or "charonstart" or "plutostart" => "logging and startup are ikesharpd's (--log-level Debug)",
        "strictcrlpolicy" or "cachecrls" or "crlcheckinterval" => "certificate revocation is not checked",
        "oe" => "opportunistic encryption is not implemented",
        _ => "no IkeSharp equivalent",
    };

    /// <summary>One conn's import: reads its resolved settings, writes its tunnel and secret, reports the rest.</summary>
    private sealed class ConnImport(IpsecSection conn, Dictionary<string, IpsecSetting> settings, List<IpsecSecret> secrets, HashSet<IpsecSecret> usedSecrets,
        List<string> report, Dictionary<string, string> files, string file, IPAddress? defaultRoute)
    {
        private readonly HashSet<string> _used = [];
        private readonly StringBuilder _tunnel = new();
        private string _local = "left";
        private string _remote = "right";

        private string Name => conn.Name;

        private string IpsecDir => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file)) ?? "/", "ipsec.d");

        public void Write(StringBuilder config, StringBuilder secretsText)
        {
            var auto = Get("auto") ?? "ignore";
            if (Skip(auto))
            {
                return;
            }

            if (!settings.ContainsKey("left") && !settings.ContainsKey("right"))
            {
                NoteConn("not imported: neither left= nor right= is set");
                return;
            }

            if (Get("right") == "%defaultroute" && Get("left") != "%defaultroute")
            {
                (_local, _remote) = ("right", "left");
                NoteConn("right=%defaultroute: right is taken as the local side");
            }

            CheckVersion();
            var local = LocalAddress();
            var remotes = RemoteAddresses();
            Line("local_addrs", local?.ToString());
            Line("remote_addrs", remotes.Count > 0 ? string.Join(", ", remotes) : null);
            var localId = IdentityOf(_local + "id");
            var remoteId = IdentityOf(_remote + "id") ?? (remotes is [var single] ? Identity.FromAddress(single) : null);
            Line("local_id", localId is null ? null : NativeText.Quote(Get(_local + "id")!));
            Line("remote_id", remoteId is null ? null : NativeText.Quote(Get(_remote + "id") ?? remotes[0].ToString()));

            var psk = Authentication(localId ?? (local is null ? null : Identity.FromAddress(local)), remoteId);
            var legacy = false;
            if (Setting("ike") is { Value: { } ike })
            {
                _used.Add("ike");
                Line("ike_proposals", IpsecProposals.Convert(ike, ProtocolId.IKE, false, why => Note("ike", why), ref legacy));
            }

            StartAction(auto, local, remotes);
            Options();
            if (!Children(local, remotes, ref legacy))
            {
                return;
            }

            if (legacy)
            {
                Line("allow_legacy_groups", "yes");
            }

            foreach (var setting in settings.Values.Where(s => !_used.Contains(s.Key)))
            {
                Report(setting.Key, Reason(setting.Key));
            }

            config.AppendLine($"    {Name} {{").Append(_tunnel).AppendLine("    }");
            if (psk is not null)
            {
                NativeText.AppendPsk(secretsText, Name, psk);
            }
        }

        private bool Skip(string auto)
        {
            string? why = auto == "ignore" ? $"auto={auto}{(settings.ContainsKey("auto") ? "" : " (not set: starter's default)")}; set auto=add, start or route to import it" : null;
            if (why is null && (Get("type") ?? "tunnel") is var type && type != "tunnel")
            {
                why = type == "transport" ? "type=transport: IkeSharp negotiates tunnel mode only" : $"type={type}: IkeSharp installs no bypass or drop policies";
            }

            if (why is null && Get("phase2") is "ah")
            {
                why = "phase2=ah: AH is not implemented";
            }

            if (why is null && Get("authby") is "never" or "null")
            {
                why = $"authby={Get("authby")}: IkeSharp needs a PSK or keys to authenticate";
            }

            if (why is not null)
            {
                NoteConn($"not imported: {why}");
            }

            return why is not null;
        }

        private void CheckVersion()
        {
            var keyexchange = Get("keyexchange");
            var ikev2 = Get("ikev2");
            if (keyexchange is "ikev1" || ikev2 is "no" or "never")
            {
                Note(keyexchange is "ikev1" ? "keyexchange" : "ikev2", "IkeSharp speaks IKEv2 only: imported as IKEv2 anyway, so the tunnel comes up only if the peer accepts IKEv2");
            }
            else if (keyexchange is "ike")
            {
                Note("keyexchange", "IkeSharp initiates and answers IKEv2 only (IKEv1 requests are ignored)");
            }
            else if (keyexchange is null && ikev2 is null && OpenswanStyle())
            {
                NoteConn("Openswan negotiates IKEv1 unless ikev2= says otherwise; IkeSharp speaks IKEv2 only, so the peer must accept IKEv2 (an Openswan or Libreswan peer: ikev2=insist)");
            }
        }

        /// <summary>Settings only Openswan and Libreswan have: then a conn without ikev2= speaks IKEv1 today.</summary>
        private bool OpenswanStyle()
            => settings.Keys.Any(k => k is "phase2" or "phase2alg" or "leftnexthop" or "rightnexthop" or "leftsubnets" or "rightsubnets" or "pfs" or "aggrmode" or "salifetime" or "connaddrfamily")
                || (settings.GetValueOrDefault("ike")?.Value ?? "").Contains(';', StringComparison.Ordinal);

        private IPAddress? LocalAddress()
        {
            var key = _local;
            var value = Get(key);
            if (value is null or "%any" or "%any4" or "%any6" or "%defaultroute" && defaultRoute is not null)
            {
                // Each leaves the source address to the routing table, which the caller has looked up.
                return defaultRoute;
            }

            if (value is null)
            {
                NoteConn($"no {key}=: IkeSharp needs the local address to initiate and to listen on: set local_addrs");
                return null;
            }

            if (value is "%any" or "%any4" or "%any6" or "%defaultroute")
            {
                Report(key, value is "%defaultroute"
                    ? $"IkeSharp does not read the routing table: set local_addrs to this gateway's address on its default route ('ip route get {Get(_remote) ?? "PEER"}' prints it after 'src'), or write it as {key}= in ipsec.conf"
                    : "IkeSharp needs the local address to initiate and to listen on: set local_addrs");
                return null;
            }

            var addresses = value.Split(',', StringSplitOptions.TrimEntries);
            if (!IPAddress.TryParse(addresses[0], out var address))
            {
                Report(key, "host names and interfaces are not resolved: set local_addrs to the address");
                return null;
            }

            if (addresses.Length > 1)
            {
                Note(key, $"only {address} is carried over: a tunnel has one local address");
            }

            return address;
        }

        private List<IPAddress> RemoteAddresses()
        {
            var key = _remote;
            var value = Get(key);
            if (value is null or "%any" or "%any4" or "%any6")
            {
                return [];
            }

            var addresses = new List<IPAddress>();
            foreach (var text in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (IPAddress.TryParse(text, out var address))
                {
                    addresses.Add(address);
                }
                else
                {
                    Note(key, $"'{text}' not carried over: {(text.Contains('/', StringComparison.Ordinal) ? "peer ranges are not supported" : "host names are not resolved")}; the tunnel answers any peer that authenticates");
                }
            }

            return addresses;
        }

        private Identity? IdentityOf(string key)
        {
            if (Get(key) is not { } value || value is "%any" or "%any4" or "%any6")
            {
                return null;
            }

            if (value.StartsWith('%'))
            {
                Report(key, $"{value} is not supported: {(value == "%fromcert" ? "the certificate's subject is the default when local_cert is set" : "write the identity itself")}");
                return null;
            }

            try
            {
                return Identity.Parse(value);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or System.Security.Cryptography.CryptographicException)
            {
                Report(key, $"not an identity IkeSharp can read ({e.Message})");
                return null;
            }
        }

        /// <summary>Writes auth and the key settings; returns the PSK for the secrets file, if that is the method.</summary>
        private string? Authentication(Identity? localId, Identity? remoteId)
        {
            // authby= (both sides), else strongSwan's leftauth=; starter's default is public keys.
            var authKey = settings.ContainsKey("authby") ? "authby" : _local + "auth";
            var authby = Get(authKey) ?? "pubkey";
            Get(_remote + "auth");
            if (authby.StartsWith("xauth", StringComparison.Ordinal) && authKey == "authby")
            {
                Note(authKey, "XAUTH is IKEv1: only its first factor (the PSK or the keys) is carried over");
                authby = authby[5..];
            }

            if (authby is "secret" or "psk")
            {
                Line("auth", "psk");
                var entry = IpsecSecrets.Best(secrets, t => t == "PSK", localId, remoteId);
                if (entry is not null && IpsecSecrets.PskBytes(entry) is { } bytes)
                {
                    usedSecrets.Add(entry);
                    return NativeText.Secret(bytes);
                }

                NoteConn($"no PSK in ipsec.secrets for {localId?.ToString() ?? "%any"} and {remoteId?.ToString() ?? "%any"}{(entry is null ? "" : $" ({entry.Location} is not a readable secret)")}; add the tunnel's psk to the secrets file");
                return null;
            }

            if (authby is not ("rsasig" or "rsa" or "pubkey" or "ecdsasig" or "ecdsa" or "rsa-sha1" or "rsa-sha2" or "rsa-sha2_256" or "rsa-sha2_384" or "rsa-sha2_512"))
            {
                Note(authKey, "not supported (IkeSharp authenticates with a PSK or public keys): imported as public keys");
            }

            Line("auth", "pubkey");
            LocalKey(localId);
            RemoteKey();
            return null;
        }

        private void LocalKey(Identity? localId)
        {
            Get(_local + "rsasigkey");
            Get(_local + "sigkey");
            if (Get(_local + "cert") is { } cert)
            {
                Line("local_cert", InIpsecDir("certs", cert));
            }

            var entry = IpsecSecrets.Best(secrets, t => t is "RSA" or "ECDSA", localId, null);
            if (entry is null)
            {
                NoteConn("no RSA or ECDSA private key in ipsec.secrets; set local_key to the private key file (PEM)");
                return;
            }

            usedSecrets.Add(entry);
            if (entry.Values is [var (path, _), ..])
            {
                Line("local_key", NativeText.Quote(InIpsecDir("private", path)));
                if (entry.Values.Count > 1)
                {
                    report.Add($"{entry.Location}: {Name}: the private key's passphrase is not carried over: IkeSharp reads unencrypted PEM keys (decrypt it with 'openssl pkey')");
                }
            }
            else if (OpenswanRsaKey.ToPem(entry.Block) is { } pem)
            {
                // IkeSharp reads PEM files: the key goes beside the config, as 'config import --out' writes it.
                files[$"{Name}.key"] = pem;
                Line("local_key", $"{Name}.key");
                report.Add($"{entry.Location}: {Name}: Openswan's inline RSA key is written as {Name}.key beside the imported config ('ikesharp config import --out DIR'; ikesharpd cannot run from this ipsec.conf directly)");
            }
            else
            {
                report.Add($"{entry.Location}: {Name}: the inline RSA key is not carried over: it lacks one of Modulus, PublicExponent, PrivateExponent, Prime1, Prime2, Exponent1, Exponent2, Coefficient; set local_key to a PEM key file");
            }
        }

        private void RemoteKey()
        {
            var key = Get(_remote + "rsasigkey") is not null ? _remote + "rsasigkey" : _remote + "sigkey";
            var value = Get(key);
            if (value is null or "%cert")
            {
                if (Get(_remote + "cert") is { } cert)
                {
                    // KeyLoader takes the peer's key from its certificate file.
                    Line("remote_pubkey", NativeText.Quote(InIpsecDir("certs", cert)));
                    return;
                }

                NoteConn($"the peer authenticates with a certificate: set remote_ca to the CA certificate(s) from {Path.Combine(IpsecDir, "cacerts")}");
                return;
            }

            if (value.StartsWith("0s", StringComparison.Ordinal) || value.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    Crypto.KeyLoader.ParseRfc3110PublicKey(value).Dispose();
                    Line("remote_pubkey", NativeText.Quote(value));
                }
                catch (Crypto.KeyLoadException e)
                {
                    Report(key, e.Message);
                }

                return;
            }

            if (value.StartsWith('%'))
            {
                Report(key, $"{value} (keys from DNS) is not supported: set remote_pubkey to the peer's public key file");
                return;
            }

            Line("remote_pubkey", NativeText.Quote(InIpsecDir("certs", value)));
        }

        private void StartAction(string auto, IPAddress? local, List<IPAddress> remotes)
        {
            var action = auto switch
            {
                "start" => "start",
                "route" or "ondemand" => "trap",
                "add" => null,
                _ => Unknown(),
            };
            if (action is not null && remotes.Count == 0)
            {
                Report("auto", $"initiating needs a concrete {_remote}=: the tunnel only answers");
                return;
            }

            if (action is not null && local is null)
            {
                // Written anyway: the config then fails to load naming local_addrs, which the report explains.
                Note("auto", "needs local_addrs (see above) before IkeSharp can initiate");
            }

            Line("start_action", action);

            string? Unknown()
            {
                Report("auto", "unknown value; the tunnel only answers");
                return null;
            }
        }

        private void Options()
        {
            if (Get("forceencaps") is "yes" || Get("encapsulation") is "yes")
            {
                Line("encap", "yes");
            }

            if (Get("fragmentation") is { } fragmentation && fragmentation is not "no")
            {
                Report("fragmentation", "IKE fragmentation is not implemented yet: IKE messages are sent whole");
            }

            if (Get("closeaction") is { } closeAction)
            {
                Line("close_action", closeAction switch { "clear" => "none", "hold" => "trap", "restart" => "start", _ => closeAction });
            }
            else if (Get("auto") is "start" or "route")
            {
                // starter's closeaction is none whatever auto says; IkeSharp's default would follow start_action.
                Line("close_action", "none");
                NoteConn($"close_action = none written, starter's default: a tunnel the peer closes stays closed (IkeSharp's own default would follow auto={Get("auto")})");
            }

            var dpdAction = Get("dpdaction");
            var dpdDelay = Get("dpddelay");
            if (dpdAction is "clear" or "hold" or "restart")
            {
                Line("dpd_delay", dpdDelay is null ? null : Duration("dpddelay", dpdDelay) is { } d ? Seconds(d) : null);
                Line("dpd_action", dpdAction == "hold" ? "trap" : dpdAction);
            }
            else
            {
                // strongSwan's default dpdaction=none sends no liveness checks; IkeSharp's default would.
                Line("dpd_delay", "0");
                if (dpdDelay is not null)
                {
                    Report("dpddelay", "no dpdaction (or dpdaction=none) turns DPD off");
                }

                if (dpdAction is not (null or "none"))
                {
                    Report("dpdaction", "unknown action: DPD is off");
                }
            }

            IkeLifetimes();
            if (Get("keyingtries") is { } tries)
            {
                Line("keyingtries", tries is "%forever" or "0" ? "%forever"
                    : int.TryParse(tries, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? Math.Min(n, 1000).ToString(CultureInfo.InvariantCulture)
                    : Invalid("keyingtries", "not a number or %forever"));
            }
        }

        /// <summary>The children: one with all subnets, or Openswan's one per pair of leftsubnets and rightsubnets (NAME-1x2).</summary>
        private bool Children(IPAddress? local, List<IPAddress> remotes, ref bool legacy)
        {
            var (localLists, localSplit) = Subnets(_local, local);
            var (remoteLists, remoteSplit) = Subnets(_remote, remotes is [var r] ? r : null);
            if (localLists is null || remoteLists is null)
            {
                NoteConn("not imported: no traffic selectors are left on one side");
                return false;
            }

            var espKey = settings.ContainsKey("phase2alg") ? "phase2alg" : "esp";
            Get("esp");
            Get("phase2alg");
            var esp = Setting(espKey)?.Value is { } value
                ? IpsecProposals.Convert(value, ProtocolId.ESP, Get("pfs") is "no", why => Note(espKey, why), ref legacy)
                : null;
            var lifetime = Lifetimes();
            _tunnel.AppendLine("        children {");
            for (var i = 0; i < localLists.Count; i++)
            {
                for (var j = 0; j < remoteLists.Count; j++)
                {
                    var name = localSplit || remoteSplit ? $"{Name}-{i + 1}x{j + 1}" : Name;
                    _tunnel.AppendLine($"            {name} {{")
                        .AppendLine($"                local_ts = {string.Join(", ", localLists[i])}")
                        .AppendLine($"                remote_ts = {string.Join(", ", remoteLists[j])}");
                    if (esp is not null)
                    {
                        _tunnel.AppendLine($"                esp_proposals = {esp}");
                    }

                    _tunnel.Append(lifetime).AppendLine("            }");
                }
            }

            _tunnel.AppendLine("        }");
            return true;
        }

        /// <summary>A side's selector lists: one list, or one per entry of Openswan's <c>leftsubnets</c>; null when none is usable.</summary>
        private (List<List<string>>? Lists, bool Split) Subnets(string side, IPAddress? host)
        {
            Get(side + "subnetwithin");
            if (Get(side + "protoport") is not null)
            {
                Report(side + "protoport", "protocol and port selectors are not supported: the whole subnets are protected");
            }

            var many = Setting(side + "subnets");
            var one = Setting(side + "subnet");
            if (many is not null && one is not null)
            {
                Report(side + "subnet", $"{side}subnets= is used instead");
            }

            var setting = many ?? one;
            _used.Add(side + "subnets");
            _used.Add(side + "subnet");
            if (setting?.Value is null)
            {
                if (host is null)
                {
                    NoteConn($"no {side}subnet= and no {side} address to default it to: set {(side == _local ? "local_ts" : "remote_ts")}");
                    return (null, false);
                }

                return ([[$"{host}/{(host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)}"]], false);
            }

            var value = setting.Value.Trim();
            if (value.StartsWith('{') != value.EndsWith('}'))
            {
                throw new ConfigException(setting.File, setting.Line, setting.Key, $"'{value}' opens a '{{' list it does not close (or the reverse)", "write the list as {a,b} or a,b");
            }

            var subnets = new List<string>();
            foreach (var text in value.Trim('{', '}').Split([',', ' '], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var subnet = text == "%dynamic" && host is not null ? host.ToString() : text;
                try
                {
                    subnets.Add(Engine.Negotiation.TrafficSelectorNarrowing.FromPrefix(subnet).ToString());
                }
                catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
                {
                    Note(setting.Key, $"'{text}' not carried over: {(text.Contains('[', StringComparison.Ordinal) ? "protocol and port selectors are not supported" : "not a subnet IkeSharp can read")}");
                }
            }

            if (subnets.Count == 0)
            {
                return (null, false);
            }

            return many is not null ? ([.. subnets.Select(s => new List<string> { s })], true) : ([subnets], false);
        }

        private static readonly string[] IkeLifetimeKeys = ["ikelifetime", "ike_lifetime"];
        private static readonly string[] MarginKeys = ["rekeymargin", "margintime"];

        /// <summary>
        /// ikelifetime is the IKE SA's hard limit; starter reauthenticates (reauth=yes, its default) or
        /// rekeys (reauth=no) margintime before it, less up to rekeyfuzz of the margin at random. So:
        /// reauth_time (with rekey_time = 0) or rekey_time = ikelifetime − margin, over_time = margin,
        /// rand_time = margin × fuzz. Without ikelifetime or reauth, IkeSharp's default applies (rekey every 4h).
        /// </summary>
        private void IkeLifetimes()
        {
            var reauth = Get("reauth") is not "no";
            var lifeKey = IkeLifetimeKeys.FirstOrDefault(settings.ContainsKey);
            if (lifeKey is null && Get("reauth") is null)
            {
                if (conn.Name != "%default")
                {
                    NoteConn("no ikelifetime or reauth: starter would reauthenticate every 2h51m (3h less margintime 9m, breaking before making); IkeSharp rekeys the IKE SA every 4h instead, without a gap (set reauth_time to reauthenticate)");
                }

                return;
            }

            var life = lifeKey is null ? 10800 : Amount(lifeKey, "time");
            if (life is null || Margin() is not { } margin)
            {
                return;
            }

            var key = lifeKey ?? "reauth";
            if (Get("rekey") is "no" || margin >= life)
            {
                Report(key, Get("rekey") is "no" ? "with rekey=no the IKE SA would simply expire; IkeSharp rekeys it (rekey_time, 4h unless set)" : "the margin is not below the lifetime");
                return;
            }

            if (reauth)
            {
                Line("rekey_time", "0");
                Line("reauth_time", $"{life - margin}s");
                Note(key, $"reauthenticates every {life - margin}s, make-before-break (starter broke before making: set make_before_break = no for that; reauth=no rekeys instead)");
            }
            else
            {
                Line("rekey_time", $"{life - margin}s");
            }

            Line("over_time", $"{margin}s");
            Line("rand_time", $"{margin * Fuzz() / 100}s");
        }

        /// <summary>rekeymargin (margintime), 9m by default; null when it does not parse (reported).</summary>
        private long? Margin() => MarginKeys.FirstOrDefault(settings.ContainsKey) is { } key ? Amount(key, "time") : 540;

        /// <summary>rekeyfuzz in percent (starter's default 100%).</summary>
        private long Fuzz()
        {
            if (Get("rekeyfuzz") is not { } text)
            {
                return 100;
            }

            if (long.TryParse(text.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var percent))
            {
                return percent;
            }

            Report("rekeyfuzz", "not a percentage: 100% assumed");
            return 100;
        }

        /// <summary>
        /// lifetime (keylife, salifetime) is the hard limit, rekeying starts rekeymargin (margintime)
        /// before it, less up to rekeyfuzz of the margin, as in starter; rekey=no writes rekey_time = 0.
        /// </summary>
        private string Lifetimes()
        {
            var text = new StringBuilder();
            var rekey = Get("rekey") is not "no";
            if (!rekey)
            {
                text.AppendLine("                rekey_time = 0");
            }

            foreach (var (lifeKeys, marginKeys, unit, defaultMargin) in new[]
            {
                (new[] { "lifetime", "keylife", "salifetime" }, new[] { "rekeymargin", "margintime" }, "time", 540L),
                (["lifebytes"], ["marginbytes"], "bytes", 0L),
                (["lifepackets"], ["marginpackets"], "packets", 0L),
            })
            {
                var lifeKey = lifeKeys.FirstOrDefault(k => settings.ContainsKey(k));
                var marginKey = marginKeys.FirstOrDefault(k => settings.ContainsKey(k));
                if (lifeKey is null)
                {
                    if (marginKey is not null)
                    {
                        Report(marginKey, $"no life{unit} is set to count it back from");
                    }

                    continue;
                }

                var life = Amount(lifeKey, unit);
                var margin = marginKey is null ? defaultMargin : Amount(marginKey, unit);
                if (life is null || margin is null)
                {
                    continue;
                }

                string Format(long n) => unit == "time" ? $"{n}s" : n.ToString(CultureInfo.InvariantCulture);
                text.AppendLine($"                life_{unit} = {Format(life.Value)}");
                if (rekey && margin > 0 && margin < life)
                {
                    text.AppendLine($"                rekey_{unit} = {Format(life.Value - margin.Value)}");
                    if (unit == "time")
                    {
                        text.AppendLine($"                rand_time = {Format(margin.Value * Fuzz() / 100)}");
                    }
                }
            }

            return text.ToString();
        }

        private long? Amount(string key, string unit)
        {
            var value = Get(key)!;
            if (unit == "time")
            {
                return Duration(key, value) is { } d ? (long)d.TotalSeconds : null;
            }

            return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : InvalidNumber(key);
        }

        private long? InvalidNumber(string key)
        {
            Report(key, "not a whole number");
            return null;
        }

        private TimeSpan? Duration(string key, string value)
        {
            var unit = value.Length > 0 && char.IsLetter(value[^1]) ? value[^1] : 's';
            var number = char.IsLetter(unit) && value.Length > 0 && char.IsLetter(value[^1]) ? value[..^1] : value;
            if (long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                switch (unit)
                {
                    case 's': return TimeSpan.FromSeconds(n);
                    case 'm': return TimeSpan.FromMinutes(n);
                    case 'h': return TimeSpan.FromHours(n);
                    case 'd': return TimeSpan.FromDays(n);
                }
            }

            Report(key, "not a duration (e.g. 30s, 5m, 1h, 1d)");
            return null;
        }

        private static string Seconds(TimeSpan d) => $"{(long)d.TotalSeconds}s";

        private string? Invalid(string key, string why)
        {
            Report(key, why);
            return null;
        }

        private string InIpsecDir(string folder, string path) => Path.IsPathRooted(path) ? path : Path.Combine(IpsecDir, folder, path);

        private IpsecSetting? Setting(string key) => settings.GetValueOrDefault(key);

        /// <summary>A setting's value, marking it as taken care of.</summary>
        private string? Get(string key)
        {
            _used.Add(key);
            return settings.GetValueOrDefault(key)?.Value;
        }

        private void Line(string key, string? value)
        {
            if (value is not null)
            {
                _tunnel.AppendLine($"        {key} = {value}");
            }
        }

        private void Report(string key, string why)
        {
            _used.Add(key);
            var setting = settings[key];
            report.Add($"{setting.Location}: {Name}: {key}={setting.Value} not carried over: {why}");
        }

        private void Note(string key, string what)
        {
            var setting = settings[key];
            report.Add($"{setting.Location}: {Name}: {key}={setting.Value}: {what}");
        }

        private void NoteConn(string what) => report.Add($"{conn.File}:{conn.Line}: {Name}: {what}");

        private static string Reason(string key) => key switch
        {
            "compress" => "IPComp is not implemented",
            "mobike" => "MOBIKE is not implemented",
            "leftnexthop" or "rightnexthop" => "IkeSharp reaches the peer through the kernel's routes",
            "leftupdown" or "rightupdown" or "leftfirewall" or "rightfirewall" or "lefthostaccess" or "righthostaccess"
                => "IkeSharp runs no updown scripts (NAT rules: the tunnel's nat block)",
            "leftsourceip" or "rightsourceip" or "leftdns" or "rightdns" or "leftmodecfgserver" or "rightmodecfgserver" or "leftmodecfgclient" or "rightmodecfgclient" or "modecfgpull"
                => "virtual IPs (configuration payloads) are not implemented",
            "leftca" or "rightca" => "set remote_ca to the CA's certificate file (from ipsec.d/cacerts)",
            "leftsendcert" or "rightsendcert" => "IkeSharp sends its certificate whenever local_cert is set",
            "dpdtimeout" => "in IKEv2 a peer is dead when a liveness check goes unanswered through retransmit_tries",
            "aggressive" or "aggrmode" => "aggressive mode is IKEv1",
            "eap_identity" or "aaa_identity" or "xauth" or "xauth_identity" or "leftauth2" or "rightauth2" => "EAP, XAUTH and second authentication rounds are not implemented",
            _ => "no IkeSharp equivalent",
        };
    }
}
