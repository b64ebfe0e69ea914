using System.Net.Sockets;
using System.Text;

namespace IkeSharp.Cli.Tests.Control;

/// <summary>A control socket that takes one request line and answers it with a fixed line, as ikesharpd would.</summary>
internal sealed class FakeDaemon : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public FakeDaemon(string path, string answer)
    {
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen();
        Request = Task.Run(async () =>
        {
            using var connection = await _listener.AcceptAsync();
            using var stream = new NetworkStream(connection);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
            var request = await reader.ReadLineAsync();
            await writer.WriteLineAsync(answer);
            return request;
        });
    }

    /// <summary>The request line the command sent.</summary>
    public Task<string?> Request { get; }

    public void Dispose() => _listener.Dispose();
}
