using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace IkeSharp.Cli.Control;

/// <summary>
/// <c>ikesharp status|up|down|rekey|reload|log</c>: talk to a running ikesharpd over its control socket (one JSON
/// request and one JSON response per line; see the daemon's ControlServer).
/// </summary>
internal static class ControlCommands
{
    public const string DefaultSocket = "/run/ikesharp/ikesharp.sock";

    /// <summary>Adds the commands to <paramref name="root"/>, and <c>--socket</c> before or after them (<c>ikesharp --socket PATH status</c>).</summary>
    public static void AddTo(RootCommand root)
    {
        var socket = new Option<string>("--socket") { Description = "the daemon's control socket", DefaultValueFactory = _ => DefaultSocket };
        root.Options.Add(socket);
        var json = new Option<bool>("--json") { Description = "print the daemon's JSON answer" };
        var status = new Command("status", "Show every tunnel with its IKE SA and Child SAs (like swanctl --list-sas)") { socket, json };
        status.SetAction(r => Run(r.GetValue(socket)!, new JsonObject { ["command"] = "status" }, r.GetValue(json) ? Json : StatusText.Render));

        var tunnel = new Argument<string>("tunnel") { Description = "tunnel name from the config" };
        var up = new Command("up", "Initiate a tunnel and keep it up") { socket, tunnel };
        up.SetAction(r => Run(r.GetValue(socket)!, new JsonObject { ["command"] = "up", ["tunnel"] = r.GetValue(tunnel) }, Message));
        var down = new Command("down", "Close a tunnel with DELETE and stop retrying it") { socket, tunnel };
        down.SetAction(r => Run(r.GetValue(socket)!, new JsonObject { ["command"] = "down", ["tunnel"] = r.GetValue(tunnel) }, Message));
        var childOption = new Option<string?>("--child") { Description = "rekey only this child's Child SA" };
        var ikeOption = new Option<bool>("--ike") { Description = "rekey the IKE SA (its Child SAs move to the new one)" };
        var rekey = new Command("rekey", "Rekey a tunnel that is up now: its Child SAs (all, or --child NAME) or its IKE SA (--ike); make-before-break, no traffic lost") { socket, tunnel, childOption, ikeOption };
        rekey.Validators.Add(r =>
        {
            if (r.GetValue(childOption) is not null && r.GetValue(ikeOption))
            {
                r.AddError("give --child or --ike, not both");
            }
        });
        rekey.SetAction(r => Run(r.GetValue(socket)!, new JsonObject { ["command"] = "rekey", ["tunnel"] = r.GetValue(tunnel), ["child"] = r.GetValue(childOption), ["ike"] = r.GetValue(ikeOption) }, Message));
        var reload = new Command("reload", "Re-read the config: unchanged tunnels keep their SAs, changed ones are re-established, removed ones closed (also: SIGHUP)") { socket };
        reload.SetAction(r => Run(r.GetValue(socket)!, new JsonObject { ["command"] = "reload" }, Message));
        var follow = new Option<bool>("--follow", "-f") { Description = "keep printing new lines until interrupted" };
        var only = new Argument<string?>("tunnel") { Description = "only this tunnel's lines", Arity = ArgumentArity.ZeroOrOne };
        var log = new Command("log", "Print the daemon's recent log (negotiations explained), optionally one tunnel's, and follow it") { socket, follow, only };
        log.SetAction((r, cancel) => FollowLog(r.GetValue(socket)!, r.GetValue(only), r.GetValue(follow), cancel));
        foreach (var command in new[] { status, up, down, rekey, reload, log })
        {
            root.Subcommands.Add(command);
        }
    }

    private static int Run(string socketPath, JsonObject request, Func<JsonObject, string> render)
    {
        JsonObject response;
        try
        {
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            client.Connect(new UnixDomainSocketEndPoint(socketPath));
            using var stream = new NetworkStream(client);
            using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
            using var reader = new StreamReader(stream, Encoding.UTF8);
            writer.WriteLine(request.ToJsonString());
            response = JsonNode.Parse(reader.ReadLine() ?? "{}") as JsonObject ?? [];
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"ikesharp: cannot reach ikesharpd at {socketPath}: {e.Message} (is it running? pass --socket PATH if it uses another socket)");
            return 2;
        }

        if (response["ok"]?.GetValue<bool>() != true)
        {
            Console.Error.WriteLine($"ikesharp: {response["error"]?.GetValue<string>() ?? "no answer"}");
            return 1;
        }

        Console.Write(render(response));
        return 0;
    }

    private static async Task<int> FollowLog(string socketPath, string? tunnel, bool follow, CancellationToken cancel)
    {
        try
        {
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await client.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancel).ConfigureAwait(false);
            await using var stream = new NetworkStream(client);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
            using var reader = new StreamReader(stream, Encoding.UTF8);
            await writer.WriteLineAsync(new JsonObject { ["command"] = "log", ["tunnel"] = tunnel, ["follow"] = follow }.ToJsonString()).ConfigureAwait(false);
            while (await reader.ReadLineAsync(cancel).ConfigureAwait(false) is { } line)
            {
                var message = JsonNode.Parse(line) as JsonObject;
                if (message?["line"] is { } text)
                {
                    Console.WriteLine(text.GetValue<string>());
                }
                else
                {
                    break; // {"ok":true,"end":true}
                }
            }

            return 0;
        }
        catch (OperationCanceledException)
        {
            return 0; // Ctrl-C while following
        }
        catch (SocketException e)
        {
            await Console.Error.WriteLineAsync($"ikesharp: cannot reach ikesharpd at {socketPath}: {e.Message} (is it running? pass --socket PATH if it uses another socket)").ConfigureAwait(false);
            return 2;
        }
    }

    private static string Json(JsonObject response) => response.ToJsonString() + Environment.NewLine;

    private static string Message(JsonObject response) => response["message"]?.GetValue<string>() + Environment.NewLine;
}
