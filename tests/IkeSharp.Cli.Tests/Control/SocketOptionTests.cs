using System.CommandLine;
using IkeSharp.Cli.Control;

namespace IkeSharp.Cli.Tests.Control;

/// <summary><c>ikesharp [--socket PATH] COMMAND</c>: the control socket can be named before the command or after it.</summary>
public sealed class SocketOptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iks-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_command_goes_to_the_socket_named_before_or_after_it(bool before)
    {
        var path = Path.Combine(_dir, "control.sock");
        using var daemon = new FakeDaemon(path, "{\"ok\":true,\"message\":\"reloaded\"}");
        var root = new RootCommand();
        ControlCommands.AddTo(root);

        var exit = await root.Parse(before ? ["--socket", path, "reload"] : ["reload", "--socket", path]).InvokeAsync();

        Assert.Equal(0, exit);
        Assert.Equal("{\"command\":\"reload\"}", await daemon.Request.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
