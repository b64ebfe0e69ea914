using System.Net;
using System.Security.Cryptography;
using System.Text;
using IkeSharp.Config;
using IkeSharp.Config.Import;
using IkeSharp.Engine.Configuration;
using IkeSharp.Protocol;

namespace IkeSharp.Daemon.Tests;

/// <summary>
/// ipsec.conf and ipsec.secrets to native config: the seed articles' configs (Seeds/) import into
/// configs that load with the expected tunnels, selectors and proposals, and every option left
/// behind is reported with its file, line and why.
/// </summary>
public sealed class IpsecConfImportTests : IDisposable
{
    /// <summary>A PSK conn between two subnets, for the tests to add settings to (each on a line of its own, indented 4).</summary>
    private const string Peer = """
        conn peer
            left=192.0.2.1
            right=198.51.100.2
            leftsubnet=10.1.0.0/24
            rightsubnet=10.2.0.0/24
            authby=secret
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("iks-ipsec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Seed_001_Openswan_with_rightsubnets_becomes_one_child_per_subnet_pair()
    {
        var (result, settings) = ImportSeed("001-openswan-psk-rightsubnets", IPAddress.Parse("172.16.0.5"));

        var tunnel = Assert.Single(settings.Engine.Tunnels);
        Assert.Equal("vpn_tunnel", tunnel.Name);
        Assert.Equal(IPAddress.Parse("172.16.0.5"), tunnel.LocalAddress);
        Assert.Equal(["110.220.9.72"], tunnel.RemoteAddresses.Select(a => a.ToString()));
        Assert.Equal("54.17.32.74", tunnel.LocalIdentity.ToString());
        Assert.Equal("110.220.9.72", tunnel.RemoteIdentity.ToString());
        Assert.Equal("MySuperSecureSecret", Encoding.UTF8.GetString(tunnel.LocalAuth.PreSharedKey.Span));
        Assert.True(tunnel.ForceEncapsulation);
        Assert.Equal(StartAction.Start, tunnel.StartAction);
        Assert.Equal(TimeSpan.Zero, tunnel.DpdDelay); // no dpdaction: DPD off, as in Openswan and strongSwan
        Assert.Equal(["vpn_tunnel-1x1 172.16.0.5/32 110.220.10.7/32", "vpn_tunnel-1x2 172.16.0.5/32 110.220.10.135/32"],
            tunnel.Children.Select(c => $"{c.Name} {string.Join(",", c.LocalTrafficSelectors)} {string.Join(",", c.RemoteTrafficSelectors)}"));
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.conf:8: vpn_tunnel: leftnexthop=%defaultroute not carried over: IkeSharp reaches the peer through the kernel's routes", StringComparison.Ordinal));
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.conf:1: vpn_tunnel: Openswan negotiates IKEv1 unless ikev2= says otherwise", StringComparison.Ordinal));
    }

    [Fact]
    public void Seed_001_without_the_gateway_address_reports_defaultroute_and_the_daemon_says_why_it_cannot_start()
    {
        var conf = CopySeed("001-openswan-psk-rightsubnets");

        var result = Import(conf);

        Assert.Contains(result.Report, r => r.StartsWith("ipsec.conf:6: vpn_tunnel: left=%defaultroute not carried over: IkeSharp does not read the routing table: set local_addrs", StringComparison.Ordinal)
            && r.Contains("'ip route get 110.220.9.72'", StringComparison.Ordinal));
        Assert.DoesNotContain("local_addrs", result.Config, StringComparison.Ordinal);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(conf));
        Assert.Equal(conf, e.File);
        Assert.Equal("vpn_tunnel.start_action", e.Key);
        Assert.Contains("needs a local_addrs", e.Problem, StringComparison.Ordinal);
        Assert.Contains("left=%defaultroute not carried over", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Seed_001_second_snippet_with_an_unclosed_brace_is_refused_with_its_line()
    {
        var conf = Write("ipsec.conf", File.ReadAllText(SeedPath("001-openswan-psk-rightsubnets", "ipsec.conf")).Replace("110.220.10.135/32}", "110.220.10.135/32", StringComparison.Ordinal));

        var e = Assert.Throws<ConfigException>(() => Import(conf));

        Assert.Equal((conf, 12, "rightsubnets"), (e.File, e.Line, e.Key));
        Assert.Contains("write the list as {a,b}", e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Seed_002_Openswan_proposals_and_a_quoted_hex_looking_PSK_run_in_memory_from_ipsec_conf()
    {
        var conf = CopySeed("002-openswan-forceencaps");

        var settings = ConfigLoader.Load(conf);

        var tunnel = Assert.Single(settings.Engine.Tunnels);
        Assert.Equal(("uk-to-au", "10.1.1.254", "54.26.0.1", "54.124.0.1"), (tunnel.Name, tunnel.LocalAddress?.ToString(), tunnel.LocalIdentity.ToString(), tunnel.RemoteIdentity.ToString()));
        Assert.Equal(Proposals("aes256-sha1-modp2048", ProtocolId.IKE), string.Join(", ", tunnel.IkeProposals));
        var child = Assert.Single(tunnel.Children);
        Assert.Equal(Proposals("aes256-sha1-modp2048", ProtocolId.ESP), string.Join(", ", child.EspProposals));
        Assert.Equal(("10.1.0.0/16", "172.31.0.0/16"), (child.LocalTrafficSelectors.Single().ToString(), child.RemoteTrafficSelectors.Single().ToString()));
        Assert.True(tunnel.ForceEncapsulation);
        // Quoted, "0x..." is the text itself to Openswan and strongSwan, not hex.
        Assert.Equal("0xaec8d3991aaff8bc8e2e3f731a8f6882", Encoding.UTF8.GetString(tunnel.LocalAuth.PreSharedKey.Span));
        Assert.Contains(settings.ImportReport, r => r.Contains("uk-to-au: Openswan negotiates IKEv1", StringComparison.Ordinal));
        Assert.Contains(settings.ImportReport, r => r.EndsWith("ipsec.secrets:2: PSK secret not carried over: no imported conn uses it", StringComparison.Ordinal));
    }

    [Fact]
    public void Seed_003_strongSwan_rsasig_with_conn_default_and_mixed_AEAD_proposals()
    {
        var dir = Path.GetDirectoryName(CopySeed("003-strongswan-rsasig"))!;
        Directory.CreateDirectory(Path.Combine(dir, "ipsec.d", "certs"));
        Directory.CreateDirectory(Path.Combine(dir, "ipsec.d", "private"));
        using var own = RSA.Create(2048);
        using var peer = RSA.Create(2048);
        WritePrivateKey(Path.Combine(dir, "ipsec.d", "private", "us-east-1.key"), own.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(dir, "ipsec.d", "certs", "us-east-1.pub"), own.ExportSubjectPublicKeyInfoPem());
        File.WriteAllText(Path.Combine(dir, "ipsec.d", "certs", "us-east-2.pub"), peer.ExportSubjectPublicKeyInfoPem());

        var (result, settings) = ImportSeed(dir, IPAddress.Parse("172.16.0.10"));

        var tunnel = Assert.Single(settings.Engine.Tunnels);
        Assert.Equal(("us-east-2", "1.2.3.4", "2.3.4.5"), (tunnel.Name, tunnel.LocalIdentity.ToString(), tunnel.RemoteIdentity.ToString()));
        Assert.Equal(AuthKind.PublicKey, tunnel.LocalAuth.Kind);
        Assert.Equal(peer.ExportSubjectPublicKeyInfo(), Assert.Single(tunnel.RemoteAuth.TrustedPublicKeys).ExportSubjectPublicKeyInfo());
        Assert.Equal(Proposals("aes192gcm16-aes128gcm16-prfsha256-ecp256-ecp521,aes192-sha256-modp3072", ProtocolId.IKE), string.Join(", ", tunnel.IkeProposals));
        var child = Assert.Single(tunnel.Children);
        Assert.Equal(Proposals("aes192gcm16-aes128gcm16-ecp256,aes192-sha256-modp3072", ProtocolId.ESP), string.Join(", ", child.EspProposals));
        Assert.Equal(("172.16.0.0/16", "172.31.0.0/16"), (child.LocalTrafficSelectors.Single().ToString(), child.RemoteTrafficSelectors.Single().ToString()));
        Assert.Equal((0, DpdAction.Restart, true, StartAction.Start), (tunnel.KeyingTries, tunnel.DpdAction, tunnel.ForceEncapsulation, tunnel.StartAction));
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.conf:6: us-east-2: fragmentation=force not carried over: IKE fragmentation is not implemented yet", StringComparison.Ordinal));
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.conf:8: us-east-2: ike=", StringComparison.Ordinal)
            && r.Contains("'aes192-prfsha256-ecp256-ecp521' (from 'aes192gcm16-aes128gcm16-aes192-prfsha256-ecp256-ecp521') left out", StringComparison.Ordinal));
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.conf:9: us-east-2: esp=", StringComparison.Ordinal) && r.Contains("'aes192-ecp256'", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Report, r => r.Contains("config setup", StringComparison.Ordinal)); // only comments there
    }

    [Fact]
    public void Inheritance_takes_the_conns_own_keys_then_the_last_also_then_conn_default()
    {
        var conf = Write("ipsec.conf", """
            conn %default
                ike=aes128-sha256-modp2048
                esp=aes128-sha256
                keyingtries=5
                dpdaction=clear
                authby=secret

            conn base
                ike=aes256-sha256-modp3072
                keyingtries=7
                dpddelay=10s

            conn other
                keyingtries=9

            conn site
                also=base
                also=other
                left=192.0.2.1
                right=198.51.100.2
                leftsubnet=10.1.0.0/24
                rightsubnet=10.2.0.0/24
                auto=add
                dpdaction=restart
                esp=
            """);
        Write("ipsec.secrets", ": PSK \"shared by all\"\n");

        var result = Import(conf);
        var tunnel = Assert.Single(LoadImported(result).Engine.Tunnels);

        Assert.Equal(Proposals("aes256-sha256-modp3072", ProtocolId.IKE), string.Join(", ", tunnel.IkeProposals));
        Assert.Equal(Proposals("default", ProtocolId.ESP), string.Join(", ", tunnel.Children[0].EspProposals)); // "esp=" cleared %default's
        Assert.Equal((9, TimeSpan.FromSeconds(10), DpdAction.Restart, StartAction.None), (tunnel.KeyingTries, tunnel.DpdDelay, tunnel.DpdAction, tunnel.StartAction));
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.conf:8: base: not imported: auto=ignore (not set: starter's default)", StringComparison.Ordinal));
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.conf:13: other: not imported", StringComparison.Ordinal));
    }

    [Fact]
    public void Comments_quotes_unknown_keys_ignored_conns_and_IKEv1_are_handled_and_reported()
    {
        var conf = Write("ipsec.conf", """
            # a gateway
            config setup
                nat_traversal=yes   # always on in IkeSharp

            conn peer # the customer
                left=192.0.2.1
                right=198.51.100.2
                leftid=@gw.example.org
                rightid="C=CH, O=Example Lab, CN=peer"
                leftsubnet=10.1.0.0/24 , 10.1.1.0/24
                rightsubnet=10.2.0.0/24
                authby=secret
                esp=aes256gcm16#no space before this comment
                keyexchange=ikev1
                frobnicate=yes
                lifetime=1h
                rekeymargin=10m
                auto=start

            conn disabled
                left=192.0.2.1
                right=198.51.100.3
                auto=ignore
            """);
        Write("ipsec.secrets", "@gw.example.org \"C=CH, O=Example Lab, CN=peer\" : PSK 'quoted # not a comment'\n");

        var result = Import(conf);
        var tunnel = Assert.Single(LoadImported(result).Engine.Tunnels);

        Assert.Equal(("gw.example.org", "C=CH, O=Example Lab, CN=peer"), (tunnel.LocalIdentity.ToString(), tunnel.RemoteIdentity.ToString()));
        Assert.Equal("quoted # not a comment", Encoding.UTF8.GetString(tunnel.LocalAuth.PreSharedKey.Span));
        var child = Assert.Single(tunnel.Children);
        Assert.Equal(["10.1.0.0/24", "10.1.1.0/24"], child.LocalTrafficSelectors.Select(t => t.ToString()));
        Assert.Equal(Proposals("aes256gcm16", ProtocolId.ESP), string.Join(", ", child.EspProposals));
        Assert.Equal((TimeSpan.FromMinutes(50), TimeSpan.FromHours(1)), (child.Lifetime.RekeyTime, child.Lifetime.LifeTime));
        Assert.Contains(result.Report, r => r == "ipsec.conf:3: config setup: nat_traversal=yes not carried over: NAT traversal is always on");
        Assert.Contains(result.Report, r => r == "ipsec.conf:15: peer: frobnicate=yes not carried over: no IkeSharp equivalent");
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.conf:14: peer: keyexchange=ikev1: IkeSharp speaks IKEv2 only: imported as IKEv2 anyway", StringComparison.Ordinal));
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.conf:20: disabled: not imported: auto=ignore;", StringComparison.Ordinal));
    }

    [Fact]
    public void Starter_lifetimes_margins_and_fuzz_become_rekey_life_and_rand_times()
    {
        var conf = Write("ipsec.conf", Peer + """

                ikelifetime=3h
                lifetime=1h
                margintime=10m
                rekeyfuzz=50%
                reauth=yes
                closeaction=restart
                auto=add

            conn once
                also=peer
                right=198.51.100.3
                rekey=no

            conn rekeying
                also=peer
                right=198.51.100.4
                reauth=no
            """);
        Write("ipsec.secrets", ": PSK 'lab secret'\n");

        var result = Import(conf);
        var tunnels = LoadImported(result).Engine.Tunnels;

        // IKE SA: reauthenticated 10 min before its 3 h, less up to 5 min (50 % of the margin) at random.
        var peer = tunnels.Single(t => t.Name == "peer");
        Assert.Equal(new IkeLifetime(TimeSpan.Zero, TimeSpan.FromMinutes(170), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5)), peer.IkeLifetime); // reauth=yes: reauthenticated, not rekeyed
        Assert.Equal(new ChildLifetime(TimeSpan.FromMinutes(50), TimeSpan.FromHours(1), RandTime: TimeSpan.FromMinutes(5)), peer.Children[0].Lifetime);
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.conf:", StringComparison.Ordinal) && r.Contains("peer: ikelifetime=3h: reauthenticates every 10200s, make-before-break", StringComparison.Ordinal));
        Assert.True(peer.MakeBeforeBreak);
        Assert.Equal(CloseAction.Start, peer.CloseAction);
        Assert.Equal(new IkeLifetime(TimeSpan.FromMinutes(170), TimeSpan.Zero, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5)), tunnels.Single(t => t.Name == "rekeying").IkeLifetime);

        // rekey=no: the Child SA is not rekeyed and goes at its hard limit.
        var once = tunnels.Single(t => t.Name == "once");
        Assert.Equal(new ChildLifetime(TimeSpan.Zero, TimeSpan.FromHours(1)), once.Children[0].Lifetime);
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.conf:7: once: ikelifetime=3h not carried over: with rekey=no", StringComparison.Ordinal));
    }

    [Fact]
    public void Starter_defaults_that_IkeSharp_does_not_share_are_written_or_told()
    {
        var conf = Write("ipsec.conf", Peer + "\n    auto=start\n");
        Write("ipsec.secrets", ": PSK 'lab secret'\n");

        var result = Import(conf);
        var peer = Assert.Single(LoadImported(result).Engine.Tunnels);

        // closeaction: none whatever auto says, as starter has it.
        Assert.Equal(CloseAction.None, peer.EffectiveCloseAction);
        Assert.Contains(result.Report, r => r == "ipsec.conf:1: peer: close_action = none written, starter's default: a tunnel the peer closes stays closed (IkeSharp's own default would follow auto=start)");
        // No ikelifetime or reauth: IkeSharp rekeys every 4 h where starter would reauthenticate, and says so.
        Assert.Equal(IkeLifetime.Default, peer.IkeLifetime);
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.conf:1: peer: no ikelifetime or reauth: starter would reauthenticate every 2h51m", StringComparison.Ordinal));
    }

    [Fact]
    public void Secrets_with_several_selectors_go_to_the_conns_they_name_best()
    {
        var conf = Write("ipsec.conf", """
            conn %default
                authby=secret
                left=192.0.2.1
                leftsubnet=10.1.0.0/24
                rightsubnet=10.2.0.0/24
                auto=add

            conn listed
                right=198.51.100.3

            conn named
                leftid=@gw.example
                rightid=@other.example
                right=198.51.100.4

            conn stranger
                left=192.0.2.9
                right=203.0.113.9
            """);
        Write("ipsec.secrets", """
            # several peers share one key
            192.0.2.1 198.51.100.2 198.51.100.3 : PSK "two-peers"
            : PSK "anyone"
            @gw.example @other.example : PSK 0x6869
            : RSA unused.pem
            @gw.example : EAP "not for us"
            """);

        var result = Import(conf);
        var tunnels = LoadImported(result).Engine.Tunnels.ToDictionary(t => t.Name, t => Encoding.UTF8.GetString(t.LocalAuth.PreSharedKey.Span));

        Assert.Equal("two-peers", tunnels["listed"]);
        Assert.Equal("hi", tunnels["named"]);
        Assert.Equal("anyone", tunnels["stranger"]);
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.secrets:5: RSA secret not carried over: no imported conn uses it", StringComparison.Ordinal));
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.secrets:6: EAP secret not carried over: IkeSharp has no use for EAP secrets", StringComparison.Ordinal));
    }

    [Fact]
    public void Openswan_rsasigkey_inline_and_include_lines_are_read()
    {
        using var peer = RSA.Create(2048);
        var p = peer.ExportParameters(false);
        var rfc3110 = "0s" + Convert.ToBase64String([(byte)p.Exponent!.Length, .. p.Exponent, .. p.Modulus!]);
        Directory.CreateDirectory(Path.Combine(_dir, "ipsec.d", "private"));
        using var own = RSA.Create(2048);
        WritePrivateKey(Path.Combine(_dir, "ipsec.d", "private", "gw.pem"), own.ExportPkcs8PrivateKeyPem());
        Write(Path.Combine("ipsec.d", "peer.conf"), $"""
            conn peer
                left=192.0.2.1
                right=198.51.100.2
                leftsubnet=10.1.0.0/24
                rightsubnet=10.2.0.0/24
                authby=rsasig
                rightrsasigkey={rfc3110}
                auto=route
            """);
        var conf = Write("ipsec.conf", "include ipsec.d/*.conf\ninclude /nonexistent/*.conf\n");
        Write("ipsec.secrets", ": RSA gw.pem\n");

        var result = Import(conf);
        var tunnel = Assert.Single(LoadImported(result).Engine.Tunnels);

        Assert.Equal(StartAction.Trap, tunnel.StartAction);
        Assert.Equal(peer.ExportSubjectPublicKeyInfo(), Assert.Single(tunnel.RemoteAuth.TrustedPublicKeys).ExportSubjectPublicKeyInfo());
        Assert.Contains(result.Report, r => r == "ipsec.conf:2: include /nonexistent/*.conf matched no file");
    }

    [Fact]
    public void Responders_transport_mode_and_legacy_algorithms_are_reported_and_what_remains_loads()
    {
        var conf = Write("ipsec.conf", """
            conn roadwarriors
                left=192.0.2.1
                right=%any
                leftsubnet=10.1.0.0/24
                rightsubnet=10.9.0.0/16
                authby=secret
                ike=3des-md5;modp1024,aes256-sha2_256;dh2
                auto=start

            conn host
                left=192.0.2.1
                right=198.51.100.2
                type=transport
                auto=start
            """);
        Write("ipsec.secrets", "192.0.2.1 %any : PSK \"road\"\n");

        var result = Import(conf);
        var tunnel = Assert.Single(LoadImported(result).Engine.Tunnels);

        Assert.Equal((StartAction.None, true, true), (tunnel.StartAction, tunnel.RemoteAddresses.IsEmpty, tunnel.AllowLegacyGroups));
        Assert.Equal(Proposals("aes256-sha256-modp1024", ProtocolId.IKE), string.Join(", ", tunnel.IkeProposals));
        Assert.Contains(result.Report, r => r == "ipsec.conf:8: roadwarriors: auto=start not carried over: initiating needs a concrete right=: the tunnel only answers");
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.conf:7: roadwarriors: ike=3des-md5;modp1024,aes256-sha2_256;dh2: 3des, md5 in '3des-md5;modp1024' left out", StringComparison.Ordinal));
        Assert.Contains(result.Report, r => r.Contains("uses MODP_1024, a legacy group (RFC 8247): allow_legacy_groups = yes", StringComparison.Ordinal));
        Assert.Contains(result.Report, r => r == "ipsec.conf:10: host: not imported: type=transport: IkeSharp negotiates tunnel mode only");
    }

    [Theory]
    [InlineData("conn a\n  also=missing\n", 2, "also", "conn 'missing' is not defined")]
    [InlineData("conn a\n  also=b\nconn b\n  also=a\n  auto=add\n", 4, "also", "(a loop)")]
    [InlineData("conn a\nleft=192.0.2.1\n", 2, null, "cannot read 'left=192.0.2.1'")]
    [InlineData("conn a\n  leftid=\"unterminated\n", 2, null, "unterminated double quote")]
    public void Broken_ipsec_conf_is_refused_naming_file_line_and_key(string text, int line, string? key, string problem)
    {
        var conf = Write("ipsec.conf", text);

        var e = Assert.Throws<ConfigException>(() => Import(conf));

        Assert.Equal((conf, line, key), (e.File, e.Line, e.Key));
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.NotNull(e.Fix);
    }

    [Fact]
    public void A_secrets_line_without_its_separator_is_refused_without_repeating_it()
    {
        var conf = Write("ipsec.conf", "conn a\n  left=192.0.2.1\n  right=198.51.100.2\n  authby=secret\n  auto=add\n");
        Write("ipsec.secrets", "# keys\n192.0.2.1 198.51.100.2 PSK \"do not print me\"\n");

        var e = Assert.Throws<ConfigException>(() => Import(conf));

        Assert.Equal((Path.Combine(_dir, "ipsec.secrets"), 2), (e.File, e.Line));
        Assert.DoesNotContain("do not print me", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Openswan_newhostkey_private_key_in_ipsec_secrets_becomes_a_PEM_file()
    {
        using var own = RSA.Create(2048);
        var k = own.ExportParameters(true);
        static string Hex(byte[] b) => "0x" + Convert.ToHexString(b);
        var conf = Write("ipsec.conf", $"""
            conn peer
                left=192.0.2.1
                right=198.51.100.2
                authby=rsasig
                leftrsasigkey=0s{Convert.ToBase64String([(byte)k.Exponent!.Length, .. k.Exponent, .. k.Modulus!])}
                rightrsasigkey=0s{Convert.ToBase64String([(byte)k.Exponent.Length, .. k.Exponent, .. k.Modulus])}
                auto=add
            """);
        Write("ipsec.secrets", $$"""
            : RSA {
                # RSA 2048 bits   gw   as ipsec newhostkey writes it
                Modulus: {{Hex(k.Modulus)}}
                PublicExponent: {{Hex(k.Exponent)}}
                # everything after this point is secret
                PrivateExponent: {{Hex(k.D!)}}
                Prime1: {{Hex(k.P!)}}
                Prime2: {{Hex(k.Q!)}}
                Exponent1: {{Hex(k.DP!)}}
                Exponent2: {{Hex(k.DQ!)}}
                Coefficient: {{Hex(k.InverseQ!)}}
                }
            # do not change the indenting of that "}"
            """);

        var result = Import(conf);
        var tunnel = Assert.Single(LoadImported(result).Engine.Tunnels);

        Assert.Equal(["peer.key"], result.Files.Keys);
        Assert.Equal(own.ExportSubjectPublicKeyInfo(), Assert.IsAssignableFrom<RSA>(tunnel.LocalAuth.PrivateKey).ExportSubjectPublicKeyInfo());
        Assert.Contains(result.Report, r => r.StartsWith("ipsec.secrets:1: peer: Openswan's inline RSA key is written as peer.key", StringComparison.Ordinal));
    }

    private (ImportResult Result, DaemonSettings Settings) ImportSeed(string seed, IPAddress defaultRoute)
    {
        var conf = Path.IsPathRooted(seed) ? Path.Combine(seed, "ipsec.conf") : CopySeed(seed);
        var result = Import(conf, defaultRoute);
        return (result, LoadImported(result));
    }

    private static ImportResult Import(string conf, IPAddress? defaultRoute = null)
    {
        var secrets = Path.Combine(Path.GetDirectoryName(conf)!, "ipsec.secrets");
        var result = IpsecConfImporter.Import(File.ReadAllText(conf), conf, File.Exists(secrets) ? File.ReadAllText(secrets) : null, secrets, defaultRoute);
        // Report lines start with the file's name as given; the tests compare them by their file name.
        return result with { Report = [.. result.Report.Select(r => r.Replace(Path.GetDirectoryName(conf)! + "/", "", StringComparison.Ordinal))] };
    }

    /// <summary>Writes the converted config as 'ikesharp config import --out' would and loads it as the daemon would.</summary>
    private DaemonSettings LoadImported(ImportResult result)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, $"native-{Guid.NewGuid():N}")).FullName;
        File.WriteAllText(Path.Combine(dir, "ikesharp.conf"), result.Config);
        var secrets = Path.Combine(dir, "secrets.conf");
        File.WriteAllText(secrets, result.Secrets);
        File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        foreach (var (name, content) in result.Files)
        {
            WritePrivateKey(Path.Combine(dir, name), content); // as --out writes them
        }

        return ConfigLoader.Load(Path.Combine(dir, "ikesharp.conf"));
    }

    /// <summary>A private key file as an operator keeps it (and ikesharpd requires): mode 0600.</summary>
    private static void WritePrivateKey(string path, string pem)
    {
        File.WriteAllText(path, pem);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private string CopySeed(string seed)
    {
        var target = Path.Combine(_dir, seed);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Seeds", seed)))
        {
            var copy = Path.Combine(target, Path.GetFileName(file));
            File.Copy(file, copy);
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return Path.Combine(target, "ipsec.conf");
    }

    /// <summary>Proposals as text: records holding arrays do not compare by content.</summary>
    private static string Proposals(string text, ProtocolId protocol) => string.Join(", ", ProposalSyntax.Parse(text, protocol));

    private static string SeedPath(string seed, string file) => Path.Combine(AppContext.BaseDirectory, "Seeds", seed, file);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
