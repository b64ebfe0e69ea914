using System.Text.RegularExpressions;

namespace IkeSharp.InteropTests;

/// <summary>
/// Child SA rekeying against strongSwan 5.9.8 with lifetimes of seconds, each side as the rekey's
/// initiator: a ping every 200 ms crosses several rekeys without a loss, and at the end each side
/// holds one IKE SA and one Child SA, with SPIs both agree on.
/// </summary>
[Collection("strongSwan lab")]
public partial class ChildRekeyInteropTests
{
    // strongSwan's rand_time defaults to life - rekey: zero makes the rekeys come when configured.
    private const string Lifetimes = "rekey_time = 3s\n                life_time = 10s\n                rand_time = 0";

    [SkippableFact]
    public void StrongSwan_rekeys_and_IkeSharp_answers_without_losing_a_ping()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options { StrongSwanChildExtra = Lifetimes });

        AssertPingsSurviveRekeys(scenario, rekeyer: "strongSwan");
    }

    [SkippableFact]
    public void IkeSharp_rekeys_and_strongSwan_answers_without_losing_a_ping()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options { IkeSharpChildExtra = "rekey_time = 3s\n                        life_time = 10s" });

        AssertPingsSurviveRekeys(scenario, rekeyer: "IkeSharp");
    }

    private static void AssertPingsSurviveRekeys(Scenario scenario, string rekeyer)
    {
        var (first, logs) = scenario.PingThroughRekeys();
        var rekeys = Rekeyed().Count(scenario.IkeSharp.Log);
        Assert.True(rekeys >= 2, $"{rekeys} rekeys in 10 s with {rekeyer} rekeying every 3 s\n{logs}");
        Assert.True(Shell.WaitUntil(() =>
        {
            var ours = scenario.IkeSharp.EstablishedIkeSa("peer")?["child-sas"]?.AsArray();
            // strongSwan lists replaced pairs as DELETED for a while: compare with its INSTALLED one.
            var theirs = Installed().Matches(scenario.StrongSwan.ListSas().Raw);
            return ours is { Count: 1 } && theirs.Count == 1
                && theirs[0].Groups[1].Value == ours[0]!["spi-out"]!.ToString() && theirs[0].Groups[2].Value == ours[0]!["spi-in"]!.ToString();
        }, TimeSpan.FromSeconds(5)), $"not one agreed Child SA at the end\n{scenario.StrongSwan.ListSas().Raw}\n{logs}");
        Assert.NotEqual(first, scenario.IkeSharp.EstablishedIkeSa("peer")!["child-sas"]![0]!["spi-in"]!.ToString());
        Assert.Single(Regex.Matches(scenario.StrongSwan.ListSas().Raw, "state=ESTABLISHED"));
    }

    [GeneratedRegex("CHILD_SA net rekeyed: SPIs")]
    private static partial Regex Rekeyed();

    [GeneratedRegex("state=INSTALLED[^}]*?spi-in=([0-9a-f]+) spi-out=([0-9a-f]+)")]
    private static partial Regex Installed();
}
