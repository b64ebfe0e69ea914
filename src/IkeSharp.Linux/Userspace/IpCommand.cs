using System.Diagnostics;

namespace IkeSharp.Linux.Userspace;

/// <summary>
/// Interface, route and rule changes through iproute2's <c>ip</c>, which every Linux gateway has;
/// the rtnetlink client of the kernel-datapath issue will replace these calls.
/// </summary>
internal static class IpCommand
{
    public static void Run(params string[] arguments) => Output(arguments);

    /// <summary>Runs <c>ip</c> and returns what it printed.</summary>
    public static string Output(params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new IOException("cannot run 'ip' (iproute2)");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new IOException($"'ip {string.Join(' ', arguments)}' failed: {error.Trim()}");
        }

        return output.Result;
    }
}
