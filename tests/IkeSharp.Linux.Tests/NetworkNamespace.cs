using System.Diagnostics;
using Tmds.Linux;

namespace IkeSharp.Linux.Tests;

/// <summary>
/// A throw-away network namespace (closed: only loopback unless a test adds more). Code run with
/// <see cref="Run"/> executes on a thread that joined it, so sockets it opens live there.
/// </summary>
internal sealed class NetworkNamespace : IDisposable
{
    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    public static NetworkNamespace Create()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "needs root: network namespaces and XFRM; run ./test.sh as root");
        var ns = new NetworkNamespace($"iks-t{Environment.ProcessId % 10000}-{Random.Shared.Next(100000)}");
        RunIp("netns", "add", ns.Name);
        ns.Ip("link", "set", "lo", "up");
        return ns;
    }

    /// <summary>Runs <c>ip</c> inside the namespace.</summary>
    public string Ip(params string[] arguments) => RunIp(["-n", Name, .. arguments]);

    public T Run<T>(Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Enter();
                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new AggregateException($"in namespace {Name}", failure);
        }

        return result;
    }

    public void Dispose()
    {
        try
        {
            RunIp("netns", "del", Name);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private unsafe void Enter()
    {
        var path = System.Text.Encoding.UTF8.GetBytes($"/var/run/netns/{Name}\0");
        int fd;
        fixed (byte* p = path)
        {
            fd = LibC.open(p, LibC.O_RDONLY | LibC.O_CLOEXEC);
        }

        if (fd < 0 || LibC.setns(fd, LibC.CLONE_NEWNET) != 0)
        {
            throw new InvalidOperationException($"cannot join namespace {Name}: errno {LibC.errno}");
        }

        _ = LibC.close(fd);
    }

    private static string RunIp(params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output.Result : throw new InvalidOperationException($"ip {string.Join(' ', arguments)}: {error}");
    }
}
