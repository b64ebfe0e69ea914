using IkeSharp.Cli.Config;

namespace IkeSharp.Cli.Tests.Config;

/// <summary><c>ikesharp config import --ipsec</c>: writes the native config and secrets, prints the report.</summary>
public sealed class ConfigImportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iks-cli-import-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Ipsec_conf_with_the_secrets_beside_it_is_written_to_the_out_directory()
    {
        var conf = Path.Combine(_dir, "ipsec.conf");
        File.WriteAllText(conf, "conn peer\n  left=%defaultroute\n  right=198.51.100.2\n  leftsubnet=10.1.0.0/24\n  rightsubnet=10.2.0.0/24\n  authby=secret\n  compress=yes\n  auto=start\n");
        File.WriteAllText(Path.Combine(_dir, "ipsec.secrets"), ": PSK \"imported secret\"\n");
        var output = new StringWriter();

        var status = ConfigCommands.Import(new ConfigCommands.ImportSources(null, new FileInfo(conf), DefaultRoute: "192.0.2.1"), new DirectoryInfo(Path.Combine(_dir, "out")), output);

        Assert.Equal(0, status);
        Assert.Contains("local_addrs = 192.0.2.1", File.ReadAllText(Path.Combine(_dir, "out", "ikesharp.conf")), StringComparison.Ordinal);
        var secrets = Path.Combine(_dir, "out", "secrets.conf");
        Assert.Contains("psk = \"imported secret\"", File.ReadAllText(secrets), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secrets));
        Assert.Contains($"report: {conf}:7: peer: compress=yes not carried over: IPComp is not implemented", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, ConfigCommands.Check(new FileInfo(Path.Combine(_dir, "out", "ikesharp.conf")), null, new StringWriter()));
    }

    [Fact]
    public void Exactly_one_input_and_a_valid_defaultroute_are_required()
    {
        var conf = Path.Combine(_dir, "ipsec.conf");
        File.WriteAllText(conf, "conn peer\n  right=198.51.100.2\n  auto=add\n");
        var output = new StringWriter();

        Assert.Equal(2, ConfigCommands.Import(new ConfigCommands.ImportSources(null), null, output));
        Assert.Equal(2, ConfigCommands.Import(new ConfigCommands.ImportSources(new FileInfo(conf), new FileInfo(conf)), null, output));
        Assert.Equal(2, ConfigCommands.Import(new ConfigCommands.ImportSources(null, new FileInfo(conf), DefaultRoute: "gateway"), null, output));
        Assert.Contains("--defaultroute gateway is not an IP address", output.ToString(), StringComparison.Ordinal);
    }
}
