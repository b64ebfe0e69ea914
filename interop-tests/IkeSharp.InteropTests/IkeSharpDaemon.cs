using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace IkeSharp.InteropTests;

/// <summary>ikesharpd in a namespace, with a config and secrets file of the test's making.</summary>
internal sealed class IkeSharpDaemon : IDisposable
{
    private readonly string _dir;
    private readonly Process _process;
    private readonly StringBuilder _output;

    public IkeSharpDaemon(string ns, string config, string secrets, IReadOnlyDictionary<string, string>? files = null, string daemonSettings = "", string environment = "")
        : this(ns, "ikesharp.conf", "secrets.conf", socket => $"daemon {{\n    socket = {socket}\n    {daemonSettings}\n}}\n" + config, secrets, files, environment)
    {
    }

    /// <param name="configName">The config's file name: ikesharp.conf, or another daemon's (ipsec.conf) that ikesharpd imports in memory.</param>
    /// <param name="config">The config text, given the control socket's path.</param>
    private IkeSharpDaemon(string ns, string configName, string secretsName, Func<string, string> config, string secrets, IReadOnlyDictionary<string, string>? files, string environment)
    {
        _dir = Directory.CreateTempSubdirectory("iks-daemon-").FullName;
        Socket = Path.Combine(_dir, "ikesharp.sock");
        File.WriteAllText(Path.Combine(_dir, configName), config(Socket));
        var secretsFile = Path.Combine(_dir, secretsName);
        File.WriteAllText(secretsFile, secrets);
        File.SetUnixFileMode(secretsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        foreach (var (name, content) in files ?? new Dictionary<string, string>())
        {
            var path = Path.Combine(_dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
            if (name.EndsWith(".key", StringComparison.Ordinal))
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // ikesharpd refuses a private key others may read
            }
        }

        var daemon = Path.Combine(AppContext.BaseDirectory, "ikesharpd.dll");
        (_process, _output) = Shell.Start($"ip netns exec {ns} env {environment} dotnet {daemon} --config {_dir}/{configName} --socket {Socket} --log-level Debug");
        if (!Shell.WaitUntil(() => File.Exists(Socket) || _process.HasExited, TimeSpan.FromSeconds(30)) || _process.HasExited)
        {
            // No Dispose follows a throwing constructor: the process and the directory go here.
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            var log = Log;
            _process.Dispose();
            Directory.Delete(_dir, recursive: true);
            throw new InvalidOperationException("ikesharpd did not start: " + log);
        }
    }

    /// <summary>ikesharpd started as <c>ikesharpd --config ipsec.conf</c>, with the ipsec.secrets beside it.</summary>
    public static IkeSharpDaemon FromIpsecConf(string ns, string ipsecConf, string ipsecSecrets)
        => new(ns, "ipsec.conf", "ipsec.secrets", _ => ipsecConf, ipsecSecrets, null, "");

    public string Socket { get; }

    public string Log
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The daemon's status document (what <c>ikesharp status --json</c> prints).</summary>
    public JsonObject Status() => Request("{\"command\":\"status\"}");

    /// <summary>One control request (a JSON line) and its answer.</summary>
    public JsonObject Request(string json)
    {
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(Socket));
        using var stream = new NetworkStream(client);
        using var writer = new StreamWriter(stream) { AutoFlush = true };
        using var reader = new StreamReader(stream);
        writer.WriteLine(json);
        return (JsonObject)JsonNode.Parse(reader.ReadLine()!)!;
    }

    /// <summary>Replaces the tunnels part of the config file (the daemon block stays) for a reload.</summary>
    public void RewriteTunnels(string config)
    {
        var file = Path.Combine(_dir, "ikesharp.conf");
        var daemonBlock = File.ReadAllText(file);
        File.WriteAllText(file, daemonBlock[..(daemonBlock.IndexOf("}\n", StringComparison.Ordinal) + 2)] + config);
    }

    public JsonObject? EstablishedIkeSa(string tunnel)
    {
        var t = Status()["tunnels"]!.AsArray().First(x => x!["name"]!.GetValue<string>() == tunnel)!;
        return t["ike_sas"]!.AsArray().Select(s => s!.AsObject()).FirstOrDefault(s => s["state"]!.GetValue<string>() == "ESTABLISHED");
    }

    /// <summary>SIGHUP, as <c>systemctl reload</c> and logrotate's postrotate send it.</summary>
    public void Hangup() => Shell.Run($"kill -HUP {_process.Id}");

    /// <summary>SIGTERM, as systemd stops it; waits for a clean exit.</summary>
    public void Stop()
    {
        if (!_process.HasExited)
        {
            Shell.Run($"kill -TERM {_process.Id}", check: false);
            Assert.True(_process.WaitForExit(TimeSpan.FromSeconds(10)), "ikesharpd did not exit within 10 s of SIGTERM:\n" + Log);
            Assert.True(_process.ExitCode == 0, $"ikesharpd exited {_process.ExitCode}:\n{Log}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Shell.Run($"kill -TERM {_process.Id}", check: false);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
