using System.Diagnostics;

namespace IkeSharp.Daemon.Tests;

/// <summary>ikesharpd's options: a value it does not know is refused before anything is read or started.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task An_unknown_log_format_is_refused_naming_the_option_and_the_allowed_values()
    {
        // The config does not exist: an accepted --log-format would get as far as reporting that instead.
        using var daemon = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ikesharpd.dll"), "--config", "/nonexistent/ikesharp.conf", "--log-format", "jsno"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var stderr = await daemon.StandardError.ReadToEndAsync();
        Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(60)), "ikesharpd did not exit");

        Assert.Equal(1, daemon.ExitCode);
        Assert.StartsWith("Option '--log-format' must be text or json, not 'jsno'.", stderr);
    }
}
