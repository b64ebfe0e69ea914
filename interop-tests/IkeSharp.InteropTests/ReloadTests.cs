namespace IkeSharp.InteropTests;

/// <summary>
/// <c>ikesharp reload</c> against strongSwan with two tunnels: changing one re-establishes it while
/// the other keeps its SAs (same SPIs) and a ping running through it loses nothing.
/// </summary>
[Collection("strongSwan lab")]
public class ReloadTests
{
    [SkippableFact]
    public void Reload_restarts_the_changed_tunnel_and_leaves_the_other_alone()
    {
        LabRequirements.Check();
        using var lab = new NetworkLab();
        using var strongswan = new StrongSwan(lab.Right, SwanctlConf(lab));
        using var ikesharp = new IkeSharpDaemon(lab.Left, Tunnels(lab, "aes256gcm16"),
            $"secrets {{\n    peer {{\n        psk = {Scenario.Psk}\n    }}\n    other {{\n        psk = {Scenario.Psk}\n    }}\n}}\n");
        Assert.True(Shell.WaitUntil(() => ikesharp.EstablishedIkeSa("peer") is { } a && a["child-sas"]!.AsArray().Count > 0
            && ikesharp.EstablishedIkeSa("other") is { } b && b["child-sas"]!.AsArray().Count > 0, TimeSpan.FromSeconds(40)),
            $"both tunnels not up\n{ikesharp.Log}\n--- strongSwan ---\n{strongswan.Log}");
        var before = Child(ikesharp, "peer");
        var (ping, output) = Shell.Start($"ip netns exec {lab.Left} ping -c 50 -i 0.1 -W 1 -I {lab.LeftSubnetHost} {lab.RightSubnetHost}");

        using (ping)
        {
            Thread.Sleep(1000);
            ikesharp.RewriteTunnels(Tunnels(lab, "aes128gcm16"));
            var answer = ikesharp.Request("{\"command\":\"reload\"}");
            Assert.True(answer["ok"]!.GetValue<bool>(), answer.ToJsonString());
            Assert.Contains("unchanged: peer; restarted: other", answer["message"]!.GetValue<string>());

            Assert.True(Shell.WaitUntil(() => ikesharp.EstablishedIkeSa("other") is { } b && b["child-sas"]!.AsArray().Count > 0
                && b["child-sas"]![0]!["proposal"]!.ToString().Contains("AES_GCM_16_128", StringComparison.Ordinal), TimeSpan.FromSeconds(30)),
                $"the changed tunnel did not come back with AES-GCM-128\n{ikesharp.Log}");
            Assert.True(ping.WaitForExit(TimeSpan.FromSeconds(20)));
            ping.WaitForExit(); // and its output read to the end
        }

        var after = Child(ikesharp, "peer");
        Assert.Equal(before["spi-in"]!.ToString(), after["spi-in"]!.ToString());
        Assert.Equal(before["spi-out"]!.ToString(), after["spi-out"]!.ToString());
        Assert.True(output.ToString().Contains("50 received, 0% packet loss", StringComparison.Ordinal), $"{output}\n{ikesharp.Log}");
    }

    private static System.Text.Json.Nodes.JsonNode Child(IkeSharpDaemon ikesharp, string tunnel) => ikesharp.EstablishedIkeSa(tunnel)!["child-sas"]![0]!;

    private static string Tunnels(NetworkLab lab, string otherEsp) => $$"""
        tunnels {
            peer {
                local_addrs = {{lab.LeftAddress}}
                remote_addrs = {{lab.RightAddress}}
                local_id = @left.lab.example
                remote_id = @right.lab.example
                start_action = start
                children {
                    net {
                        local_ts = {{lab.LeftSubnet}}
                        remote_ts = {{lab.RightSubnet}}
                        esp_proposals = aes256gcm16
                    }
                }
            }
            other {
                local_addrs = {{lab.LeftAddress}}
                remote_addrs = {{lab.RightAddress}}
                local_id = @left2.lab.example
                remote_id = @right.lab.example
                start_action = start
                children {
                    net2 {
                        local_ts = {{lab.LeftSubnet}}
                        remote_ts = {{lab.RightSecondSubnet}}
                        esp_proposals = {{otherEsp}}
                    }
                }
            }
        }
        """;

    private static string SwanctlConf(NetworkLab lab) => $$"""
        connections {
        {{Connection(lab, "peer", "@left.lab.example", "net", lab.RightSubnet, "aes256gcm16")}}
        {{Connection(lab, "other", "@left2.lab.example", "net2", lab.RightSecondSubnet, "aes256gcm16, aes128gcm16")}}
        }
        secrets {
          ike-left {
            id-1 = @left.lab.example
            id-2 = @left2.lab.example
            secret = {{Scenario.Psk}}
          }
        }
        """;

    private static string Connection(NetworkLab lab, string name, string remoteId, string child, string localTs, string esp) => $$"""
          {{name}} {
            version = 2
            local_addrs = {{lab.RightAddress}}
            remote_addrs = {{lab.LeftAddress}}
            local {
              auth = psk
              id = @right.lab.example
            }
            remote {
              auth = psk
              id = {{remoteId}}
            }
            children {
              {{child}} {
                local_ts = {{localTs}}
                remote_ts = {{lab.LeftSubnet}}
                esp_proposals = {{esp}}
              }
            }
          }
        """;
}
