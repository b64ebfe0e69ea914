using IkeSharp.Config;
using IkeSharp.Daemon.Hosting;

namespace IkeSharp.Daemon.Tests;

/// <summary>
/// What ikesharpd was started with: a reload loads the config again through the same source, so the
/// command-line overrides must win over the file every time, or each reload reports them as changes.
/// </summary>
public sealed class ConfigSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iks-source-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Loading_again_for_a_reload_keeps_every_command_line_override_over_the_file()
    {
        var config = Path.Combine(_dir, "ikesharp.conf");
        File.WriteAllText(config, "daemon {\n    listen = 127.0.0.1\n    datapath = kernel\n    socket = file.sock\n    log_file = file.log\n    secrets = file-secrets.conf\n}\n" +
            "tunnels {\n    peer {\n        local_addrs = 127.0.0.1\n        remote_addrs = 127.0.0.2\n" +
            "        children {\n            net {\n                local_ts = 10.0.0.0/24\n                remote_ts = 10.0.1.0/24\n            }\n        }\n    }\n}\n");
        var secrets = Path.Combine(_dir, "cli-secrets.conf");
        File.WriteAllText(secrets, "secrets {\n    peer {\n        psk = a-pre-shared-key-long-enough\n    }\n}\n");
        File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var source = new ConfigSource(config, secrets, Path.Combine(_dir, "cli.sock"), Path.Combine(_dir, "cli.log"), DatapathKind.Record);

        var settings = source.Load();

        Assert.Equal(DatapathKind.Record, settings.Datapath);
        Assert.Equal(Path.Combine(_dir, "cli.sock"), settings.ControlSocket);
        Assert.Equal(Path.Combine(_dir, "cli.log"), settings.LogFile?.Path);
        Assert.Equal("a-pre-shared-key-long-enough"u8.ToArray(), settings.Engine.Tunnels[0].LocalAuth.PreSharedKey.ToArray());
    }
}
