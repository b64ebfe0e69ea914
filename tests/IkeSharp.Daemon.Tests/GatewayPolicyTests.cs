using IkeSharp.Config;
using IkeSharp.Daemon.Hosting;

namespace IkeSharp.Daemon.Tests;

/// <summary>
/// <c>daemon { sysctl = set }</c> where the sysctls cannot be written (not root, a container's
/// read-only /proc/sys): a config error at the sysctl key with the way out, not a crash.
/// </summary>
public sealed class GatewayPolicyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iks-gateway-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_sysctl_it_may_not_write_is_refused_as_a_config_error_naming_it_the_errno_and_the_fix()
    {
        var config = Path.Combine(_dir, "ikesharp.conf");
        File.WriteAllText(config, "daemon {\n    listen = 127.0.0.1\n    sysctl = set\n}\ntunnels {\n    peer {\n        local_addrs = 127.0.0.1\n        remote_addrs = 127.0.0.2\n" +
            "        children {\n            net {\n                local_ts = 10.0.0.0/24\n                remote_ts = 10.0.1.0/24\n            }\n        }\n    }\n}\n");
        var secrets = Path.Combine(_dir, "secrets.conf");
        File.WriteAllText(secrets, "secrets {\n    peer {\n        psk = a-pre-shared-key-long-enough\n    }\n}\n");
        File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var settings = ConfigLoader.Load(config);

        // What File.WriteAllText throws for EACCES: the errno is in the inner IOException.
        var e = Assert.Throws<ConfigException>(() => GatewayPolicy.SetSysctls(settings, [("net/ipv4/ip_forward", "0", "1")],
            (key, _) => throw new UnauthorizedAccessException($"Access to the path '/proc/sys/{key}' is denied.", new IOException("Permission denied", 13))));

        Assert.StartsWith($"{config}:3: daemon.sysctl: cannot set net.ipv4.ip_forward=1: Permission denied (errno 13) (fix: run ikesharpd as root", e.Message);
        Assert.Contains("compose 'sysctls:'", e.Message);
        Assert.Contains("sysctl = check", e.Message);
        Assert.Contains("sysctl -w net.ipv4.ip_forward=1", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
