using System.Text.Json.Nodes;

namespace IkeSharp.InteropTests;

/// <summary>
/// One IkeSharp-versus-strongSwan setup: IkeSharp in the left namespace, strongSwan in the right,
/// configured from the same few parameters so both sides agree except where a test says otherwise.
/// </summary>
internal sealed class Scenario : IDisposable
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

        public string IkeSharpExtra { get; init; } = "";

        public string StrongSwanExtra { get; init; } = "";
    }

    public static Scenario Start(Options options)
    {
        var lab = new NetworkLab(options.WithNat);
        var files = options.PublicKeys ? Keys.Generate() : null;
        StrongSwan? strongswan = null;
        try
        {
            strongswan = new StrongSwan(lab.Right, SwanctlConf(lab, options), files?.StrongSwanFiles);
            var ikesharp = new IkeSharpDaemon(lab.Left, IkeSharpConf(lab, options), $"secrets {{\n    peer {{\n        psk = {Psk}\n    }}\n}}\n", files?.IkeSharpFiles);
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
                local_id = @left.lab.example
                remote_id = @right.lab.example
                {{(o.PublicKeys ? "auth = pubkey\n        local_key = left.key\n        remote_pubkey = right.pub" : "auth = psk")}}
                ike_proposals = {{o.IkeProposals}}
                start_action = {{(o.IkeSharpInitiates ? "start" : "none")}}
                {{o.IkeSharpExtra}}
                children {
                    net {
                        local_ts = {{lab.LeftSubnet}}
                        remote_ts = {{lab.RightSubnet}}
                        esp_proposals = {{o.EspProposals}}
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
              auth = {{(o.PublicKeys ? "pubkey" : "psk")}}
              id = @right.lab.example
              {{(o.PublicKeys ? "pubkeys = right.pub" : "")}}
            }
            remote {
              auth = {{(o.PublicKeys ? "pubkey" : "psk")}}
              id = @left.lab.example
              {{(o.PublicKeys ? "pubkeys = left.pub" : "")}}
            }
            children {
              net {
                local_ts = {{lab.RightSubnet}}
                remote_ts = {{lab.LeftSubnet}}
                esp_proposals = {{o.EspProposals}}
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

/// <summary>4096-bit RSA key pairs made with openssl, as the seed article's <c>openssl genrsa 4096</c>.</summary>
internal sealed record Keys(Dictionary<string, string> IkeSharpFiles, Dictionary<string, string> StrongSwanFiles)
{
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
