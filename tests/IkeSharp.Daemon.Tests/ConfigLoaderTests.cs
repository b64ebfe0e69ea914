using IkeSharp.Config;
using IkeSharp.Engine.Configuration;
using IkeSharp.Protocol;

namespace IkeSharp.Daemon.Tests;

/// <summary>The native config: what loads, and what each mistake is told with (file, line, key, fix).</summary>
public sealed class ConfigLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iks-config-").FullName;

    private const string Valid = """
        # the seed scenario's tunnel
        daemon {
            listen = 192.0.2.1
        }
        tunnels {
            customer {
                local_addrs = 192.0.2.1
                remote_addrs = 198.51.100.7
                local_id = 1.2.3.4
                remote_id = @vpn.customer.example
                ike_proposals = aes256-sha1-modp2048
                start_action = start
                keyingtries = %forever
                dpd_delay = 10s
                dpd_action = restart
                encap = yes
                rekey_time = 8h
                over_time = 10m
                rand_time = 5m
                children {
                    net {
                        local_ts = 1.2.3.4/32
                        remote_ts = 172.31.0.0/16, 172.32.0.0/16
                        esp_proposals = aes256-sha1
                        rekey_time = 1h
                        life_time = 66m
                        life_bytes = 4000000000
                    }
                }
            }
        }
        """;

    private const string Secrets = """
        secrets {
            customer {
                psk = "a secret # with a hash"
            }
        }
        """;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Seed_style_tunnel_loads_with_every_setting()
    {
        var settings = Load(Valid, Secrets);
        var tunnel = Assert.Single(settings.Engine.Tunnels);

        Assert.Equal("customer", tunnel.Name);
        Assert.Equal("1.2.3.4", tunnel.LocalIdentity.ToString());
        Assert.Equal("vpn.customer.example", tunnel.RemoteIdentity.ToString());
        Assert.Equal("IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048", Assert.Single(tunnel.IkeProposals).ToString());
        Assert.Equal(StartAction.Start, tunnel.StartAction);
        Assert.Equal(0, tunnel.KeyingTries);
        Assert.Equal(TimeSpan.FromSeconds(10), tunnel.DpdDelay);
        Assert.Equal(DpdAction.Restart, tunnel.DpdAction);
        Assert.True(tunnel.ForceEncapsulation);
        Assert.Equal("a secret # with a hash", System.Text.Encoding.UTF8.GetString(tunnel.LocalAuth.PreSharedKey.Span));
        Assert.Equal(["172.31.0.0/16", "172.32.0.0/16"], tunnel.Children[0].RemoteTrafficSelectors.Select(t => t.ToString()));
        Assert.Equal("ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ", Assert.Single(tunnel.Children[0].EspProposals).ToString());
        Assert.Equal(new ChildLifetime(TimeSpan.FromHours(1), TimeSpan.FromMinutes(66), 0, 4_000_000_000, RandTime: TimeSpan.FromMinutes(6)), tunnel.Children[0].Lifetime);
        Assert.Equal(new IkeLifetime(TimeSpan.FromHours(8), TimeSpan.Zero, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5)), tunnel.IkeLifetime);
    }

    [Fact]
    public void Lifetimes_default_as_strongSwans()
    {
        var tunnel = Assert.Single(Load(Valid.Replace("rekey_time = 8h\n", "").Replace("over_time = 10m\n", "").Replace("rand_time = 5m\n", "")
            .Replace("rekey_time = 1h\n", "").Replace("life_time = 66m\n", "").Replace("life_bytes = 4000000000\n", ""), Secrets).Engine.Tunnels);

        // IKE SA: rekey after 4 h, over_time and rand_time 10 % of that; Child SA: 1 h, hard limit 66 min, rand_time 6 min.
        Assert.Equal(new IkeLifetime(TimeSpan.FromHours(4), TimeSpan.Zero, TimeSpan.FromMinutes(24), TimeSpan.FromMinutes(24)), tunnel.IkeLifetime);
        Assert.Equal(ChildLifetime.Default, tunnel.Children[0].Lifetime);
        Assert.Equal(new ChildLifetime(TimeSpan.FromHours(1), TimeSpan.FromMinutes(66), RandTime: TimeSpan.FromMinutes(6)), ChildLifetime.Default);

        // rekey_time = 0 turns rekeying off, and with it the derived hard limit.
        var off = Assert.Single(Load(Valid.Replace("rekey_time = 1h", "rekey_time = 0").Replace("life_time = 66m\n", ""), Secrets).Engine.Tunnels);
        Assert.Equal(TimeSpan.Zero, off.Children[0].Lifetime.RekeyTime);
        Assert.Equal(TimeSpan.Zero, off.Children[0].Lifetime.LifeTime);
    }

    [Theory]
    [InlineData("remote_addrs = 198.51.100.7", "remote_addr = 198.51.100.7", 8, "remote_addr", "did you mean 'remote_addrs'?")]
    [InlineData("ike_proposals = aes256-sha1-modp2048", "ike_proposals = aes257-sha1-modp2048", 11, "customer.ike_proposals", "unknown algorithm 'aes257'")]
    [InlineData("dpd_delay = 10s", "dpd_delay = ten seconds", 14, "dpd_delay", "write e.g. 30s, 5m, 1h")]
    [InlineData("remote_addrs = 198.51.100.7", "remote_addrs = vpn.example.com", 8, "remote_addrs", "not an IP address")]
    [InlineData("local_ts = 1.2.3.4/32", "local_ts = 1.2.3.4/33", 22, "customer.children.net.local_ts", "prefix length 33 is out of range")]
    [InlineData("start_action = start", "start_action = sometimes", 12, "customer.start_action", "use none, start or trap")]
    [InlineData("encap = yes", "encap = maybe", 16, "encap", "write yes or no")]
    [InlineData("rekey_time = 1h", "rekey_time = 2h", 25, "customer.children.net.rekey_time", "rekey_time must be below life_time")]
    [InlineData("life_bytes = 4000000000", "life_bytes = 4 GB", 27, "customer.children.net.life_bytes", "'4 GB' is not a whole number")]
    [InlineData("listen = 192.0.2.1", "listen = 192.0.2.1\n    log_file = ikesharpd.log\n    log_file_limit = 100MB", 5, "log_file_limit", "'100MB' is not a size")]
    [InlineData("listen = 192.0.2.1", "listen = 192.0.2.1\n    log_file_limit = 100M", 4, "log_file_limit", "log_file_limit without a log_file")]
    [InlineData("rekey_time = 8h", "rekey_time = 8h\n    close_action = restart-later", 18, "customer.close_action", "use none, start or trap")]
    [InlineData("rekey_time = 8h", "rekey_time = 8h\n    make_before_break = sometimes", 18, "make_before_break", "write yes or no")]
    [InlineData("rand_time = 5m", "rand_time = soon", 19, "rand_time", "is not a duration")]
    public void Mistakes_name_file_line_key_and_fix(string good, string bad, int line, string key, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Load(Valid.Replace(good, bad), Secrets));

        Assert.EndsWith("ikesharp.conf", e.File);
        Assert.Equal(line, e.Line);
        Assert.Equal(key, e.Key);
        Assert.Contains(expected, e.Message);
        Assert.StartsWith($"{e.File}:{line}: {key}: ", e.Message);
    }

    [Fact]
    public void Close_action_start_needs_an_address_to_initiate_to()
    {
        var responder = Valid.Replace("remote_addrs = 198.51.100.7\n", "").Replace("start_action = start", "close_action = start").Replace("dpd_action = restart", "dpd_action = clear");

        var e = Assert.Throws<ConfigException>(() => Load(responder, Secrets));

        Assert.Equal("customer.close_action", e.Key);
        Assert.Contains("or use close_action = none", e.Message);
        Assert.Equal(CloseAction.None, Load(responder.Replace("close_action = start", "close_action = none"), Secrets).Engine.Tunnels[0].EffectiveCloseAction);
    }

    [Theory]
    [InlineData("start_action = start", "start_action = trap", "start_action")]
    [InlineData("start_action = start", "start_action = start\n    close_action = trap", "close_action")]
    [InlineData("dpd_action = restart", "dpd_action = trap", "dpd_action")]
    public void The_user_space_datapath_refuses_traps(string good, string bad, string key)
    {
        var config = Valid.Replace("listen = 192.0.2.1", "listen = 192.0.2.1\n    datapath = userspace").Replace(good, bad);

        var e = Assert.Throws<ConfigException>(() => Load(config, Secrets));

        Assert.Equal($"customer.{key}", e.Key);
        Assert.Contains("or datapath = kernel", e.Message);
        Load(config.Replace("datapath = userspace", "datapath = kernel"), Secrets);
    }

    [Fact]
    public void Log_file_is_found_beside_the_config_remembers_where_it_was_set_and_the_command_line_wins()
    {
        Assert.Null(Load(Valid, Secrets).LogFile);

        var configured = Load(Valid.Replace("listen = 192.0.2.1", "listen = 192.0.2.1\n    log_file = log/ikesharpd.log"), Secrets).LogFile!;
        Assert.Equal((Path.Combine(_dir, "log", "ikesharpd.log"), LogFileSettings.DefaultSizeLimit, 4, "log_file"), (configured.Path, configured.SizeLimit, configured.Line, configured.Key));

        Load(Valid.Replace("listen = 192.0.2.1", "listen = 192.0.2.1\n    log_file = log/ikesharpd.log\n    log_file_limit = 10M"), Secrets);
        var overridden = ConfigLoader.Load(Path.Combine(_dir, "ikesharp.conf"), logFileOverride: "/var/log/elsewhere.log").LogFile!;
        Assert.Equal(("/var/log/elsewhere.log", 10L << 20, "--log-file"), (overridden.Path, overridden.SizeLimit, overridden.Key));
        Assert.StartsWith($"{Path.Combine(_dir, "ikesharp.conf")}:0: --log-file: ", overridden.Error("cannot write", "fix it").Message);
    }

    [Fact]
    public void Missing_pre_shared_key_points_at_the_secrets_file()
    {
        var e = Assert.Throws<ConfigException>(() => Load(Valid, "secrets {\n}\n"));

        Assert.Contains("psk authentication but no pre-shared key for 'customer'", e.Message);
        Assert.Contains("secrets.conf", e.Fix);
    }

    [Fact]
    public void World_readable_secrets_are_refused_with_the_chmod_to_fix_them()
    {
        var e = Assert.Throws<ConfigException>(() => Load(Valid, Secrets, secretsMode: UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead));

        Assert.Contains("readable or writable by group or others", e.Message);
        Assert.StartsWith("chmod 600 ", e.Fix);
    }

    [Fact]
    public void Limits_of_the_half_open_guard_and_of_Child_SAs_are_read_with_their_defaults()
    {
        var defaults = Load(Valid, Secrets);
        Assert.Equal((5, 1000, 64, 16), (defaults.Engine.BlockThreshold, defaults.Engine.HalfOpenLimit, defaults.Engine.Tunnels[0].MaxChildSas, defaults.Engine.Tunnels[0].MaxTrafficSelectors));

        var set = Load(Valid.Replace("listen = 192.0.2.1", "listen = 192.0.2.1\n    block_threshold = 2\n    half_open_limit = 50")
            .Replace("encap = yes", "encap = yes\n                max_child_sas = 3\n                max_traffic_selectors = 4"), Secrets);
        Assert.Equal((2, 50, 3, 4), (set.Engine.BlockThreshold, set.Engine.HalfOpenLimit, set.Engine.Tunnels[0].MaxChildSas, set.Engine.Tunnels[0].MaxTrafficSelectors));

        var e = Assert.Throws<ConfigException>(() => Load(Valid.Replace("encap = yes", "encap = yes\n                max_child_sas = 0"), Secrets));
        Assert.Equal("max_child_sas", e.Key);
    }

    [Fact]
    public void A_private_key_file_others_may_read_is_refused_with_the_chmod_to_fix_it()
    {
        var key = Path.Combine(_dir, "local.key");
        using (var ecdsa = System.Security.Cryptography.ECDsa.Create())
        {
            File.WriteAllText(key, ecdsa.ExportPkcs8PrivateKeyPem());
        }

        var peer = Path.Combine(_dir, "peer.pub");
        File.WriteAllText(peer, System.Security.Cryptography.ECDsa.Create().ExportSubjectPublicKeyInfoPem());
        var config = Valid.Replace("encap = yes", "encap = yes\n                auth = pubkey\n                local_key = local.key\n                remote_pubkey = peer.pub");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var e = Assert.Throws<ConfigException>(() => Load(config, Secrets));
        Assert.Equal("customer.local_key", e.Key);
        Assert.Contains($"private key file {key} is readable or writable by group or others", e.Message);
        Assert.Equal($"chmod 600 {key}", e.Fix);

        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.IsAssignableFrom<System.Security.Cryptography.ECDsa>(Load(config, Secrets).Engine.Tunnels[0].LocalAuth.PrivateKey);
    }

    [Fact]
    public void Remote_crl_loads_CRL_files_for_a_tunnel_with_a_CA_and_is_refused_without_one()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Lab CA", caKey, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), ca.ExportCertificatePem());
        var crl = new System.Security.Cryptography.X509Certificates.CertificateRevocationListBuilder().Build(ca, System.Numerics.BigInteger.One, now.AddDays(7), System.Security.Cryptography.HashAlgorithmName.SHA256);
        File.WriteAllText(Path.Combine(_dir, "ca.crl"), System.Security.Cryptography.PemEncoding.WriteString("X509 CRL", crl));
        var key = Path.Combine(_dir, "local.key");
        File.WriteAllText(key, caKey.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var config = Valid.Replace("encap = yes", "encap = yes\n                auth = pubkey\n                local_key = local.key\n                remote_ca = ca.crt\n                remote_crl = ca.crl");

        var lists = Load(config, Secrets).Engine.Tunnels[0].RemoteAuth.RevocationLists;
        Assert.Equal(["CN=Lab CA"], lists.Select(l => l.Issuer.Name));

        var e = Assert.Throws<ConfigException>(() => Load(config.Replace("remote_ca = ca.crt", "remote_pubkey = ca.crt"), Secrets));
        Assert.Equal("customer.remote_crl", e.Key);
        Assert.Contains("this tunnel has no remote_ca", e.Message);
        e = Assert.Throws<ConfigException>(() => Load(config.Replace("remote_crl = ca.crl", "remote_crl = ca.crt"), Secrets));
        Assert.Equal("customer.remote_crl", e.Key);
        Assert.Contains("expected a PEM X509 CRL, but found PEM blocks labelled CERTIFICATE", e.Message);
    }

    [Theory]
    [InlineData("tunnels {\n  a {\n", "block 'a' is never closed")]
    [InlineData("}\n", "'}' without a matching '{'")]
    [InlineData("daemon {\n  listen = 1.2.3.4 cookie_threshold = 3\n}\n", "keys are single words")]
    [InlineData("daemon {\n  name = \"unterminated\n}\n", "unterminated double quote")]
    public void Syntax_errors_are_located(string text, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigSyntax.Parse(text, "x.conf"));
        Assert.Contains(expected, e.Message);
        Assert.True(e.Line > 0);
    }

    [Fact]
    public void A_malformed_secrets_line_is_located_but_never_repeated()
    {
        var e = Assert.Throws<ConfigException>(() => Load(Valid, "secrets {\n    customer {\n        psk \"the-real-secret\"\n    }\n}\n"));

        Assert.Equal(3, e.Line);
        Assert.DoesNotContain("the-real-secret", e.Message);
    }

    [Fact]
    public void Start_action_needs_addresses_to_initiate()
    {
        var e = Assert.Throws<ConfigException>(() => Load(Valid.Replace("remote_addrs = 198.51.100.7", "remote_addrs = %any"), Secrets));
        Assert.Contains("needs a local_addrs and a concrete remote_addrs", e.Message);
    }

    [Theory]
    [InlineData("3des-sha1-modp2048", "3DES_CBC is not implemented by IkeSharp")]
    [InlineData("aes128-sha1-modp1024", "MODP_1024 is a legacy group (RFC 8247 §2.4)")]
    public void Unimplemented_or_legacy_algorithms_are_refused_at_load(string proposal, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Load(Valid.Replace("aes256-sha1-modp2048", proposal), Secrets));

        Assert.Equal("customer.ike_proposals", e.Key);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Weak_choices_are_accepted_with_warnings()
    {
        var settings = Load(Valid.Replace("aes256-sha1-modp2048", "aes128-sha1-modp1024").Replace("encap = yes", "encap = yes\n                allow_legacy_groups = yes"), Secrets.Replace("a secret # with a hash", "short"));

        var warnings = ConfigAdvice.Warnings(settings);

        Assert.Contains(warnings, w => w.Contains("MODP_1024 is too weak"));
        Assert.Contains(warnings, w => w.Contains("SHA-1 is offered"));
        Assert.Contains(warnings, w => w.Contains("only 5 octets"));
        Assert.Empty(ConfigAdvice.Warnings(Load(Valid.Replace("aes256-sha1-modp2048", "aes256gcm16-prfsha384-x25519").Replace("esp_proposals = aes256-sha1", "esp_proposals = aes256gcm16"), Secrets)));
    }

    [Fact]
    public void Default_proposals_get_no_weak_algorithm_warning_but_written_ones_do()
    {
        var defaults = Load(Valid.Replace("ike_proposals = aes256-sha1-modp2048", "").Replace("esp_proposals = aes256-sha1", ""), Secrets);
        var writtenEsp = Load(Valid.Replace("ike_proposals = aes256-sha1-modp2048", ""), Secrets);

        Assert.Contains(defaults.Engine.Tunnels[0].Children[0].EspProposals.SelectMany(p => p.Transforms), t => t is { Type: TransformType.INTEG, Id: (ushort)IntegrityAlgorithm.AUTH_HMAC_SHA1_96 });
        Assert.Empty(ConfigAdvice.Warnings(defaults));
        Assert.Equal(["customer: SHA-1 is offered (RFC 8247 allows it, but recommends SHA-2); prefer sha256 where the peer supports it"], ConfigAdvice.Warnings(writtenEsp));
    }

    private DaemonSettings Load(string config, string secrets, UnixFileMode secretsMode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_dir, "ikesharp.conf");
        File.WriteAllText(path, config);
        var secretsPath = Path.Combine(_dir, "secrets.conf");
        File.WriteAllText(secretsPath, secrets);
        File.SetUnixFileMode(secretsPath, secretsMode);
        return ConfigLoader.Load(path);
    }
}
