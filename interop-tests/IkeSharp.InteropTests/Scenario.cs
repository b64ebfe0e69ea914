using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IkeSharp.InteropTests;

/// <summary>
/// One IkeSharp-versus-strongSwan setup: IkeSharp in the left namespace, strongSwan in the right,
/// configured from the same few parameters so both sides agree except where a test says otherwise.
/// </summary>
internal sealed partial class Scenario : IDisposable
{
    public const string Psk = "interop-psk-0123456789abcdef";

    private Scenario(NetworkLab lab, IkeSharpDaemon ikesharp, StrongSwan strongswan)
    {
        Lab = lab;
        IkeSharp = ikesharp;
        StrongSwan = strongswan;
    }

    public NetworkLab Lab { get; }

    public IkeSharpDaemon IkeSharp { get; }

    public StrongSwan StrongSwan { get; }

    public sealed record Options
    {
        public string IkeProposals { get; init; } = "aes256-sha256-modp2048";

        public string EspProposals { get; init; } = "aes256gcm16";

        public bool IkeSharpInitiates { get; init; } = true;

        public bool WithNat { get; init; }

        public bool PublicKeys { get; init; }

        public bool Certificates { get; init; }

        /// <summary>Two subnets behind strongSwan in one child, as Openswan's <c>rightsubnets={a,b}</c>.</summary>
        public bool TwoRemoteSubnets { get; init; }

        public bool Ipv6 { get; init; }

        public string IkeSharpExtra { get; init; } = "";

        public string StrongSwanExtra { get; init; } = "";

        /// <summary>Lines added to each side's child <c>net</c> (lifetimes, for instance).</summary>
        public string IkeSharpChildExtra { get; init; } = "";

        public string StrongSwanChildExtra { get; init; } = "";

        /// <summary>strongswan.conf settings inside <c>charon { }</c> (e.g. <c>make_before_break = yes</c>).</summary>
        public string StrongSwanCharon { get; init; } = "";

        /// <summary>When set, IkeSharp runs from this ipsec.conf (conn "peer") and ipsec.secrets, imported in memory, instead of a native config.</summary>
        public Func<NetworkLab, (string IpsecConf, string IpsecSecrets)>? IpsecConf { get; init; }
    }

    public static Scenario Start(Options options)
    {
        var lab = new NetworkLab(options.WithNat, options.Ipv6);
        var files = options.Certificates ? Keys.GenerateCertificates() : options.PublicKeys ? Keys.Generate() : null;
        StrongSwan? strongswan = null;
        try
        {
            strongswan = new StrongSwan(lab.Right, SwanctlConf(lab, options), files?.StrongSwanFiles, options.StrongSwanCharon);
            var ikesharp = options.IpsecConf?.Invoke(lab) is var (ipsecConf, ipsecSecrets)
                ? IkeSharpDaemon.FromIpsecConf(lab.Left, ipsecConf, ipsecSecrets)
                : new IkeSharpDaemon(lab.Left, IkeSharpConf(lab, options), $"secrets {{\n    peer {{\n        psk = {Psk}\n    }}\n}}\n", files?.IkeSharpFiles);
            if (!options.IkeSharpInitiates)
            {
                strongswan.Swanctl("--initiate --child net --timeout 20");
            }

            return new Scenario(lab, ikesharp, strongswan);
        }
        catch
        {
            strongswan?.Dispose();
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Waits until both sides report the IKE SA and Child SA; fails with both logs otherwise.</summary>
    public (JsonObject IkeSharpSa, SwanctlSas StrongSwanSas) WaitEstablished(TimeSpan? timeout = null)
    {
        JsonObject? sa = null;
        SwanctlSas? sas = null;
        var ok = Shell.WaitUntil(() =>
        {
            sa = IkeSharp.EstablishedIkeSa("peer");
            sas = StrongSwan.ListSas();
            return sa is not null && sa["child-sas"]!.AsArray().Count > 0 && sas.HasEstablishedIkeSa && sas.HasInstalledChildSa;
        }, timeout ?? TimeSpan.FromSeconds(30));
        Assert.True(ok, $"tunnel not up on both sides\n--- IkeSharp ---\n{IkeSharp.Log}\n--- strongSwan ---\n{StrongSwan.Log}\n--- swanctl ---\n{sas?.Raw}");
        return (sa!, sas!);
    }

    /// <summary>
    /// Waits until each side holds one IKE SA, the same one, with one Child SA they agree on (strongSwan
    /// keeps replaced SAs listed for a while, REKEYED or DELETING: its ESTABLISHED one is compared).
    /// </summary>
    public void AssertOneAgreedPair(string logs, TimeSpan? timeout = null)
    {
        Assert.True(Shell.WaitUntil(() =>
        {
            var ours = IkeSharp.EstablishedIkeSa("peer");
            var raw = StrongSwan.ListSas().Raw;
            var theirs = EstablishedSa().Matches(raw);
            var children = ours?["child-sas"]?.AsArray();
            return ours is not null && theirs.Count == 1 && children is { Count: 1 } && InstalledChild().Count(raw) == 1
                && theirs[0].Groups[1].Value == ours["initiator-spi"]!.ToString() && theirs[0].Groups[2].Value == ours["responder-spi"]!.ToString()
                && InstalledChild().Match(raw).Groups[1].Value == children[0]!["spi-out"]!.ToString();
        }, timeout ?? TimeSpan.FromSeconds(8)), $"not one agreed IKE SA and Child SA at the end\n{StrongSwan.ListSas().Raw}\n{IkeSharp.Status()}\n{logs}");
    }

    [GeneratedRegex("state=ESTABLISHED[^{]*?initiator-spi=([0-9a-f]+) responder-spi=([0-9a-f]+)")]
    private static partial Regex EstablishedSa();

    [GeneratedRegex("state=INSTALLED[^}]*?spi-in=([0-9a-f]+)")]
    private static partial Regex InstalledChild();

    /// <summary>
    /// Once the tunnel is up, 50 pings 200 ms apart through it (after one to warm up neighbour
    /// discovery) while rekeys go on, none of them lost; returns the inbound SPI of the Child SA that
    /// was up at the start, and the ping output with both logs for messages.
    /// </summary>
    public (string FirstChildSpi, string Logs) PingThroughRekeys()
    {
        var (sa, _) = WaitEstablished();
        var first = sa["child-sas"]![0]!["spi-in"]!.ToString();
        Shell.Run($"ip netns exec {Lab.Left} ping -c 1 -W 2 -I {Lab.LeftSubnetHost} {Lab.RightSubnetHost}", check: false);
        var ping = Shell.Run($"ip netns exec {Lab.Left} ping -c 50 -i 0.2 -W 1 -I {Lab.LeftSubnetHost} {Lab.RightSubnetHost}", check: false);
        var logs = $"{ping}\n--- IkeSharp ---\n{IkeSharp.Log}\n--- strongSwan ---\n{StrongSwan.Log}";
        Assert.True(ping.Contains("50 packets transmitted, 50 received", StringComparison.Ordinal), logs);
        return (first, logs);
    }

    public void Dispose()
    {
        IkeSharp.Dispose();
        StrongSwan.Dispose();
        Lab.Dispose();
    }

    private static string IkeSharpConf(NetworkLab lab, Options o) => $$"""
        tunnels {
            peer {
                local_addrs = {{lab.LeftAddress}}
                remote_addrs = {{lab.RightAddress}}
                {{(o.Certificates ? $"remote_id = \"{Keys.RightDn}\"" : "local_id = @left.lab.example\n        remote_id = @right.lab.example")}}
                {{(o.Certificates ? "auth = pubkey\n        local_key = left.key\n        local_cert = left.crt\n        remote_ca = ca.crt"
                    : o.PublicKeys ? "auth = pubkey\n        local_key = left.key\n        remote_pubkey = right.pub" : "auth = psk")}}
                ike_proposals = {{o.IkeProposals}}
                start_action = {{(o.IkeSharpInitiates ? "start" : "none")}}
                {{o.IkeSharpExtra}}
                children {
                    net {
                        local_ts = {{lab.LeftSubnet}}
                        remote_ts = {{lab.RightSubnet}}{{(o.TwoRemoteSubnets ? ", " + lab.RightSecondSubnet : "")}}
                        esp_proposals = {{o.EspProposals}}
                        {{o.IkeSharpChildExtra}}
                    }
                }
            }
        }
        """;

    private static string SwanctlConf(NetworkLab lab, Options o) => $$"""
        connections {
          peer {
            version = 2
            local_addrs = {{lab.RightAddress}}
            remote_addrs = {{(lab.Nat is null ? lab.LeftAddress : "%any")}}
            proposals = {{o.IkeProposals}}
            {{o.StrongSwanExtra}}
            local {
              auth = {{(o.PublicKeys || o.Certificates ? "pubkey" : "psk")}}
              id = {{(o.Certificates ? $"\"{Keys.RightDn}\"" : "@right.lab.example")}}
              {{(o.Certificates ? "certs = right.crt" : o.PublicKeys ? "pubkeys = right.pub" : "")}}
            }
            remote {
              auth = {{(o.PublicKeys || o.Certificates ? "pubkey" : "psk")}}
              id = {{(o.Certificates ? $"\"{Keys.LeftDn}\"" : "@left.lab.example")}}
              {{(o.PublicKeys ? "pubkeys = left.pub" : "")}}
            }
            children {
              net {
                local_ts = {{lab.RightSubnet}}{{(o.TwoRemoteSubnets ? ", " + lab.RightSecondSubnet : "")}}
                remote_ts = {{lab.LeftSubnet}}
                esp_proposals = {{o.EspProposals}}
                {{o.StrongSwanChildExtra}}
              }
            }
          }
        }
        secrets {
          ike-left {
            id = @left.lab.example
            secret = {{Psk}}
          }
        }
        """;
}

/// <summary>
/// Keys made with openssl: 4096-bit RSA pairs as the seed article's <c>openssl genrsa 4096</c>, or a
/// small CA with an ECDSA certificate per side.
/// </summary>
internal sealed record Keys(Dictionary<string, string> IkeSharpFiles, Dictionary<string, string> StrongSwanFiles)
{
    public const string LeftDn = "C=CH, O=Lab, CN=left.lab.example";

    public const string RightDn = "C=CH, O=Lab, CN=right.lab.example";

    public static Keys GenerateCertificates()
    {
        var dir = Directory.CreateTempSubdirectory("iks-pki-").FullName;
        try
        {
            Shell.Run($"cd {dir} && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 30 -subj '/C=CH/O=Lab/CN=Lab CA' 2>/dev/null");
            foreach (var side in new[] { "left", "right" })
            {
                Shell.Run($"cd {dir} && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout {side}.key -out {side}.csr -subj '/C=CH/O=Lab/CN={side}.lab.example' 2>/dev/null " +
                    $"&& printf 'subjectAltName=DNS:{side}.lab.example\n' > {side}.ext && openssl x509 -req -in {side}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile {side}.ext -out {side}.crt 2>/dev/null");
            }

            string Read(string name) => File.ReadAllText(Path.Combine(dir, name));
            return new Keys(
                new() { ["left.key"] = Read("left.key"), ["left.crt"] = Read("left.crt"), ["ca.crt"] = Read("ca.crt") },
                new() { ["private/right.key"] = Read("right.key"), ["x509/right.crt"] = Read("right.crt"), ["x509ca/ca.crt"] = Read("ca.crt") });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static Keys Generate()
    {
        var dir = Directory.CreateTempSubdirectory("iks-keys-").FullName;
        try
        {
            foreach (var side in new[] { "left", "right" })
            {
                Shell.Run($"openssl genrsa -out {dir}/{side}.key 4096 2>/dev/null && openssl rsa -in {dir}/{side}.key -pubout -out {dir}/{side}.pub 2>/dev/null");
            }

            string Read(string name) => File.ReadAllText(Path.Combine(dir, name));
            return new Keys(
                new() { ["left.key"] = Read("left.key"), ["right.pub"] = Read("right.pub") },
                new() { ["private/right.key"] = Read("right.key"), ["pubkey/right.pub"] = Read("right.pub"), ["pubkey/left.pub"] = Read("left.pub") });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
