using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IkeSharp.Config;
using IkeSharp.Daemon.Hosting;
using IkeSharp.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.Control;

/// <summary>
/// The control socket <c>ikesharp</c> talks to: a Unix stream socket (mode 0600, root only) carrying
/// one JSON request per line (<c>{"command":"status"}</c>, <c>{"command":"up","tunnel":"x"}</c>)
/// and one JSON response per line (<c>{"ok":true,...}</c> or <c>{"ok":false,"error":"..."}</c>).
/// <c>{"command":"log","tunnel":"x","follow":true}</c> answers with one <c>{"line":"..."}</c> per log
/// line instead: the recent ones, then (when following) new ones until the client hangs up.
/// </summary>
internal sealed partial class ControlServer(DaemonSettings settings, IkeEngine engine, IDatapath datapath, ConfigReload reload, LogBroadcast log, ILogger<ControlServer> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private Task? _accepting;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var path = settings.ControlSocket;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        // Bound and listening under a temporary name, then renamed into place: the path never
        // names a socket that refuses connections or that others may open (a stale one of a
        // previous run is replaced in the same step).
        var pending = path + ".new";
        File.Delete(pending);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(pending));
        File.SetUnixFileMode(pending, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _listener.Listen(16);
        File.Move(pending, path, overwrite: true);
        LogListening(path);
        _accepting = AcceptLoop(_listener);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        if (_accepting is not null)
        {
            await _accepting.ConfigureAwait(false);
        }

        File.Delete(settings.ControlSocket);
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Answers one request line; public for tests.</summary>
    public string Handle(string line)
    {
        try
        {
            var request = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not a JSON object");
            var command = request["command"]?.GetValue<string>() ?? throw new JsonException("no command");
            var tunnel = request["tunnel"]?.GetValue<string>();
            switch (command)
            {
                case "status":
                    return Ok(new JsonObject { ["tunnels"] = StatusJson.Tunnels(engine.Options.Tunnels, engine.GetStatus(), datapath), ["statistics"] = StatusJson.Statistics(engine.Statistics, datapath) });
                case "up" when tunnel is not null:
                    engine.Initiate(tunnel);
                    return Ok(new JsonObject { ["message"] = $"initiating {tunnel}" });
                case "down" when tunnel is not null:
                    engine.Terminate(tunnel);
                    return Ok(new JsonObject { ["message"] = $"closing {tunnel}" });
                case "rekey" when tunnel is not null:
                    var child = request["child"]?.GetValue<string>();
                    var ike = request["ike"]?.GetValue<bool>() == true;
                    engine.Rekey(tunnel, child, ike);
                    return Ok(new JsonObject { ["message"] = $"rekeying {(ike ? "the IKE SA" : child is null ? "the Child SAs" : $"CHILD_SA {child}")} of {tunnel}" });
                case "reload":
                    return Ok(new JsonObject { ["message"] = reload.Reload() });
                default:
                    return Error($"unknown command '{command}'{(command is "up" or "down" or "rekey" ? " without a tunnel" : "")}; known: status, up TUNNEL, down TUNNEL, rekey TUNNEL [child CHILD | ike], reload");
            }
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or ConfigException)
        {
            return Error(e.Message);
        }
    }

    private static string Ok(JsonObject body)
    {
        body["ok"] = true;
        return body.ToJsonString();
    }

    private static string Error(string message) => new JsonObject { ["ok"] = false, ["error"] = message }.ToJsonString();

    private async Task AcceptLoop(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(Socket client)
    {
        using (client)
        {
            await using var stream = new NetworkStream(client, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
            try
            {
                while (await reader.ReadLineAsync(_stopping.Token).ConfigureAwait(false) is { } line)
                {
                    if (LogRequest(line) is { } request)
                    {
                        await StreamLog(writer, request.Tunnel, request.Follow).ConfigureAwait(false);
                        return;
                    }

                    await writer.WriteLineAsync(Handle(line)).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // client went away or the daemon is stopping
            }
        }
    }

    private static (string? Tunnel, bool Follow)? LogRequest(string line)
    {
        try
        {
            return JsonNode.Parse(line) is JsonObject request && request["command"]?.GetValue<string>() == "log"
                ? (request["tunnel"]?.GetValue<string>(), request["follow"]?.GetValue<bool>() == true)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task StreamLog(StreamWriter writer, string? tunnel, bool follow)
    {
        var fresh = System.Threading.Channels.Channel.CreateBounded<LogBroadcast.LogLine>(
            new System.Threading.Channels.BoundedChannelOptions(10_000) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest });
        using var following = log.Follow(l => fresh.Writer.TryWrite(l), out var backlog);
        foreach (var line in backlog.Where(Wanted))
        {
            await writer.WriteLineAsync(LogJson(line)).ConfigureAwait(false);
        }

        if (!follow)
        {
            await writer.WriteLineAsync(new JsonObject { ["ok"] = true, ["end"] = true }.ToJsonString()).ConfigureAwait(false);
            return;
        }

        await foreach (var line in fresh.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
        {
            if (Wanted(line))
            {
                await writer.WriteLineAsync(LogJson(line)).ConfigureAwait(false);
            }
        }

        bool Wanted(LogBroadcast.LogLine line) => tunnel is null || line.Tunnel == tunnel;
    }

    private static string LogJson(LogBroadcast.LogLine line) => new JsonObject { ["tunnel"] = line.Tunnel, ["line"] = line.Text }.ToJsonString();

    [LoggerMessage(Level = LogLevel.Information, Message = "control socket {Path}")]
    private partial void LogListening(string path);
}
