using IkeSharp.Config;
using IkeSharp.Config.Import;

namespace IkeSharp.Daemon.Tests;

/// <summary>strongSwan swanctl.conf to native config: the result loads, and every dropped option is reported.</summary>
public sealed class SwanctlImportTests : IDisposable
{
    private const string Swanctl = """
        connections {
          nat-instance {
            version = 2
            local_addrs = 203.0.113.20
            remote_addrs = 198.51.100.10
            proposals = aes256-sha1-modp2048
            rekey_time = 3h
            over_time = 20m
            reauth_time = 6h
            local {
              auth = psk
              id = 203.0.113.20
            }
            remote {
              auth = psk
              id = 1.2.3.4
            }
            children {
              net {
                local_ts = 172.31.0.0/16
                remote_ts = 1.2.3.4/32
                esp_proposals = aes256-sha1
                rekey_time = 50m
                rand_time = 2m
                start_action = start
                dpd_action = restart
                mode = tunnel
              }
            }
          }
        }
        secrets {
          ike-eip {
            id = 1.2.3.4
            secret = "demo psk shared with the customer"
          }
        }
        pools {
          p {
            addrs = 10.3.0.0/24
          }
        }
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("iks-import-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Imported_connection_loads_as_a_tunnel_with_its_secret()
    {
        var result = SwanctlImporter.Import(Swanctl, "/etc/swanctl/swanctl.conf");
        File.WriteAllText(Path.Combine(_dir, "ikesharp.conf"), result.Config);
        var secrets = Path.Combine(_dir, "secrets.conf");
        File.WriteAllText(secrets, result.Secrets);
        File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var tunnel = Assert.Single(ConfigLoader.Load(Path.Combine(_dir, "ikesharp.conf")).Engine.Tunnels);

        Assert.Equal("nat-instance", tunnel.Name);
        Assert.Equal("1.2.3.4", tunnel.RemoteIdentity.ToString());
        Assert.Equal(Engine.Configuration.StartAction.Start, tunnel.StartAction);
        Assert.Equal(Engine.Configuration.DpdAction.Restart, tunnel.DpdAction);
        Assert.Equal(Engine.Configuration.CloseAction.None, tunnel.EffectiveCloseAction); // swanctl's default, not IkeSharp's (which follows start_action)
        Assert.Equal("demo psk shared with the customer", System.Text.Encoding.UTF8.GetString(tunnel.LocalAuth.PreSharedKey.Span));
        Assert.Equal(["172.31.0.0/16"], tunnel.Children[0].LocalTrafficSelectors.Select(t => t.ToString()));

        // Lifetimes carry over, with strongSwan's defaults for the rest (rand_time = over_time; life_time = 1.1 x rekey_time).
        Assert.Equal(new Engine.Configuration.IkeLifetime(TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(20)), tunnel.IkeLifetime);
        Assert.Equal(new Engine.Configuration.ChildLifetime(TimeSpan.FromMinutes(50), TimeSpan.FromMinutes(55), RandTime: TimeSpan.FromMinutes(2)), tunnel.Children[0].Lifetime);
    }

    [Fact]
    public void The_daemon_config_loader_runs_from_a_swanctl_conf_directly()
    {
        var path = Path.Combine(_dir, "swanctl.conf");
        File.WriteAllText(path, Swanctl);

        var settings = ConfigLoader.Load(path);

        Assert.Equal("nat-instance", Assert.Single(settings.Engine.Tunnels).Name);
        Assert.Equal(TimeSpan.FromHours(6), Assert.Single(settings.Engine.Tunnels).IkeLifetime.ReauthTime);
    }

    [Fact]
    public void Every_option_left_behind_is_reported_with_its_line_and_reason()
    {
        var report = SwanctlImporter.Import(Swanctl, "swanctl.conf").Report;

        Assert.DoesNotContain(report, r => r.Contains("reauth_time"));
        Assert.DoesNotContain(report, r => r.Contains(".rekey_time =") || r.Contains(".rand_time =") || r.Contains(".over_time ="));
        Assert.Contains(report, r => r.Contains("nat-instance.children.net.mode = tunnel not carried over"));
        Assert.Contains(report, r => r.Contains("block 'pools' not carried over"));
        Assert.DoesNotContain(report, r => r.Contains("ike-eip")); // the connection uses it
        Assert.Contains(report, r => r.StartsWith("swanctl.conf:2: nat-instance: close_action = none written, strongSwan's default", StringComparison.Ordinal));
    }

    [Fact]
    public void Actions_that_differ_between_children_are_reported_as_the_tunnel_takes_the_first()
    {
        var conf = Swanctl.Replace("""
                    mode = tunnel
                  }
            """, """
                    mode = tunnel
                    close_action = trap
                  }
                  web {
                    local_ts = 172.31.1.0/24
                    remote_ts = 1.2.3.4/32
                    start_action = trap
                    close_action = start
                  }
            """);
        Assert.NotEqual(Swanctl, conf);

        var result = SwanctlImporter.Import(conf, "swanctl.conf");

        Assert.Contains("        start_action = start\n", result.Config.ReplaceLineEndings("\n"));
        Assert.Contains("        close_action = trap\n", result.Config.ReplaceLineEndings("\n"));
        Assert.Contains(result.Report, r => r.Contains("nat-instance.children.web.start_action = trap not carried over: IkeSharp sets start_action per tunnel, and takes net's start", StringComparison.Ordinal));
        Assert.Contains(result.Report, r => r.Contains("nat-instance.children.web.close_action = start not carried over: IkeSharp sets close_action per tunnel, and takes net's trap", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Report, r => r.Contains("close_action = none written", StringComparison.Ordinal));
    }

    [Fact]
    public void Authentication_rounds_and_secrets_left_behind_are_reported_too()
    {
        const string conf = """
            connections {
              gw {
                remote_addrs = 198.51.100.10
                local {
                  auth = pubkey
                  certs = gw.pem
                  eap_id = %any
                }
                remote {
                  auth = pubkey
                  cacerts = ca.pem
                  revocation = strict
                }
                remote-2 {
                  auth = eap-md5
                }
                children {
                  net {
                    remote_ts = 10.2.0.0/16
                  }
                }
              }
              road {
                local {
                  auth = eap-mschapv2
                }
              }
            }
            secrets {
              ike-old {
                id = 192.0.2.99
                secret = unused
              }
              private-gw {
                file = gw.key
              }
              eap-carol {
                id = carol
                secret = password
              }
            }
            """;

        var report = SwanctlImporter.Import(conf, "swanctl.conf").Report;

        Assert.Contains("swanctl.conf:7: gw.local.eap_id = %any not carried over: no IkeSharp equivalent", report);
        Assert.Contains("swanctl.conf:12: gw.remote.revocation = strict not carried over: no IkeSharp equivalent", report);
        Assert.Contains("swanctl.conf:14: gw.remote-2 not carried over: IkeSharp does one authentication round per side", report);
        Assert.Contains("swanctl.conf:25: road.auth = eap-mschapv2 not carried over: IkeSharp authenticates with psk or pubkey only", report);
        Assert.Contains("swanctl.conf:30: secret 'ike-old' not carried over: no imported connection uses it", report);
        Assert.Contains(report, r => r.StartsWith("swanctl.conf:34: secret 'private-gw' not carried over: set local_key to the key file (gw.key,", StringComparison.Ordinal));
        Assert.Contains(report, r => r.StartsWith("swanctl.conf:37: secret 'eap-carol' not carried over: IkeSharp has no use for it", StringComparison.Ordinal));
        Assert.DoesNotContain(report, r => r.Contains("password") || r.Contains("unused")); // never a secret's value
    }
}
