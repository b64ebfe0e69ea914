namespace IkeSharp.InteropTests;

/// <summary><c>ikesharp log [--follow] [TUNNEL]</c>: the daemon's negotiation log over the control socket.</summary>
[Collection("strongSwan lab")]
public class OperatorLogTests
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "ikesharp.dll");

    [SkippableFact]
    public void Log_shows_a_tunnels_negotiation_and_follow_streams_what_happens_next()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options());
        scenario.WaitEstablished();

        var recent = Shell.Run($"dotnet {Cli} log peer --socket {scenario.IkeSharp.Socket}");
        var (follower, followed) = Shell.Start($"dotnet {Cli} log --follow peer --socket {scenario.IkeSharp.Socket}");
        using (follower)
        {
            Assert.True(Shell.WaitUntil(() => Snapshot(followed).Contains("IKE_AUTH", StringComparison.Ordinal), TimeSpan.FromSeconds(15)), "the backlog did not arrive: " + Snapshot(followed));
            Shell.Run($"dotnet {Cli} down peer --socket {scenario.IkeSharp.Socket}");
            var closed = Shell.WaitUntil(() => Snapshot(followed).Contains("INFORMATIONAL", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
            follower.Kill();

            Assert.True(closed, "the DELETE exchange was not streamed: " + Snapshot(followed));
        }

        // Every line of the tunnel's negotiation, and only that tunnel's lines.
        Assert.Contains("sending IKE_SA_INIT request 0", recent);
        Assert.Contains("authentication of right.lab.example with psk successful", recent);
        Assert.DoesNotContain("control socket", recent); // a daemon-wide line, not the tunnel's
    }

    private static string Snapshot(System.Text.StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
