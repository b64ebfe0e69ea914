using System.Diagnostics;
using System.Text;

namespace IkeSharp.InteropTests;

/// <summary>Runs lab commands (ip, nft, swanctl) and fails with their output when they fail.</summary>
internal static class Shell
{
    public static string Run(string command, bool check = true, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(300);
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command}' did not finish in {limit.TotalSeconds:0} s");
        }

        var output = stdout.Result + stderr.Result;
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' exited {process.ExitCode}: {output}");
        }

        return output;
    }

    /// <summary>A long-running process whose output is collected for diagnostics.</summary>
    public static (Process Process, StringBuilder Output) Start(string command)
    {
        var output = new StringBuilder();
        var process = new Process { StartInfo = new ProcessStartInfo("/bin/sh", ["-c", "exec " + command]) { RedirectStandardOutput = true, RedirectStandardError = true } };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            if (condition())
            {
                return true;
            }

            Thread.Sleep(250);
        }

        return condition();
    }
}
