using IkeSharp.Cli.Config;

namespace IkeSharp.Cli.Tests.Config;

/// <summary>
/// <c>ikesharp config check FILE</c>: weak choices (MODP 1024, SHA-1, a short PSK) are warned about
/// and accepted; a mistake is refused with its file, line, key and fix.
/// </summary>
public sealed class ConfigCheckCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iks-cli-check-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Weak_choices_are_warned_about_and_accepted()
    {
        var config = Write("ike_proposals = aes128-sha1-modp1024\n        allow_legacy_groups = yes", "esp_proposals = aes128-sha1", "short-psk");
        var output = new StringWriter();

        Assert.Equal(0, ConfigCommands.Check(new FileInfo(config), null, output));

        var lines = output.ToString().Split('\n');
        Assert.Contains(lines, l => l.StartsWith("warning: peer: MODP_1024 is too weak", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("warning: peer: SHA-1 is offered", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("warning: peer: the pre-shared key has only 9 octets", StringComparison.Ordinal));
        Assert.Contains($"{config}: OK (1 tunnel(s), 3 warning(s))", lines);
        Assert.DoesNotContain("short-psk", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Strong_choices_get_no_warning()
    {
        var config = Write("ike_proposals = aes256gcm16-prfsha384-x25519", "esp_proposals = aes256gcm16", "a-long-random-pre-shared-key-0123456789");
        var output = new StringWriter();

        Assert.Equal(0, ConfigCommands.Check(new FileInfo(config), null, output));

        Assert.DoesNotContain("warning:", output.ToString(), StringComparison.Ordinal);
        Assert.Contains($"{config}: OK (1 tunnel(s), 0 warning(s))", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_mistake_is_refused_with_file_line_key_and_fix()
    {
        var config = Write("ike_proposals = aes256-sha256-modp1024", "esp_proposals = aes256gcm16", "a-long-random-pre-shared-key-0123456789");
        var output = new StringWriter();

        Assert.Equal(1, ConfigCommands.Check(new FileInfo(config), null, output));

        Assert.StartsWith($"error: {config}:5: peer.ike_proposals: MODP_1024 is a legacy group (RFC 8247 §2.4) (fix: ", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("allow_legacy_groups = yes", output.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A one-tunnel config (its IKE settings at line 5) and its secrets file beside it.</summary>
    private string Write(string ike, string esp, string psk)
    {
        var config = Path.Combine(_dir, "ikesharp.conf");
        File.WriteAllText(config, $"tunnels {{\n    peer {{\n        local_addrs = 192.0.2.1\n        remote_addrs = 198.51.100.7\n        {ike}\n" +
            $"        children {{\n            net {{\n                local_ts = 10.1.0.0/24\n                remote_ts = 10.2.0.0/24\n                {esp}\n            }}\n        }}\n    }}\n}}\n");
        var secrets = Path.Combine(_dir, "secrets.conf");
        File.WriteAllText(secrets, $"secrets {{\n    peer {{\n        psk = {psk}\n    }}\n}}\n");
        File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return config;
    }
}
