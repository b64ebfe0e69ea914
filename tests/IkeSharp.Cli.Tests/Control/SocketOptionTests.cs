using System.CommandLine;
using System.Net.Sockets;
using System.Text;
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
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        var daemon = Task.Run(async () =>
        {
            using var connection = await listener.AcceptAsync();
            using var stream = new NetworkStream(connection);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
            var request = await reader.ReadLineAsync();
            await writer.WriteLineAsync("{\"ok\":true,\"message\":\"reloaded\"}");
            return request;
        });
        var root = new RootCommand();
        ControlCommands.AddTo(root);

        var exit = await root.Parse(before ? ["--socket", path, "reload"] : ["reload", "--socket", path]).InvokeAsync();

        Assert.Equal(0, exit);
        Assert.Equal("{\"command\":\"reload\"}", await daemon.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
