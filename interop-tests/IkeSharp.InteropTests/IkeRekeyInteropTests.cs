using System.Text.RegularExpressions;

namespace IkeSharp.InteropTests;

/// <summary>
/// IKE SA rekeying (RFC 7296 §2.18) against strongSwan 5.9.8 with lifetimes of seconds: strongSwan
/// rekeys, IkeSharp rekeys, both rekey the IKE and the Child SA at once. A ping every 200 ms loses
/// nothing, and at the end each side holds one IKE SA with the same SPIs and one Child SA.
/// </summary>
[Collection("strongSwan lab")]
public partial class IkeRekeyInteropTests
{
    // rand_time = 0 makes the rekeys come when configured; over_time keeps a postponed rekey from hitting the hard limit.
    private const string IkeLifetime = "rekey_time = 4s\n            over_time = 20s\n            rand_time = 0";
    private const string IkeSharpIkeLifetime = "rekey_time = 4s\n                over_time = 20s\n                rand_time = 0";

    [SkippableFact]
    public void StrongSwan_rekeys_the_IKE_SA_and_the_Child_SA_carries_on_unchanged()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options { StrongSwanExtra = IkeLifetime });

        var child = AssertPingsSurviveRekeys(scenario, "strongSwan");
        Assert.Equal(child, scenario.IkeSharp.EstablishedIkeSa("peer")!["child-sas"]![0]!["spi-in"]!.ToString()); // moved, not rekeyed
    }

    [SkippableFact]
    public void IkeSharp_rekeys_the_IKE_SA_and_the_Child_SA_carries_on_unchanged()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options { IkeSharpExtra = IkeSharpIkeLifetime });

        var child = AssertPingsSurviveRekeys(scenario, "IkeSharp");
        Assert.Equal(child, scenario.IkeSharp.EstablishedIkeSa("peer")!["child-sas"]![0]!["spi-in"]!.ToString());
    }

    [SkippableFact]
    public void Both_rekey_IKE_and_Child_SAs_at_once_and_end_on_one_pair_of_each()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options
        {
            StrongSwanExtra = IkeLifetime,
            IkeSharpExtra = IkeSharpIkeLifetime,
            StrongSwanChildExtra = "rekey_time = 3s\n                life_time = 15s\n                rand_time = 0",
            IkeSharpChildExtra = "rekey_time = 3s\n                        life_time = 15s\n                        rand_time = 0",
        });

        AssertPingsSurviveRekeys(scenario, "both sides");
    }

    /// <summary>Pings across 10 s of rekeys; returns the inbound SPI of the Child SA that was up at the start.</summary>
    private static string AssertPingsSurviveRekeys(Scenario scenario, string rekeyer)
    {
        var (first, logs) = scenario.PingThroughRekeys();
        var rekeys = IkeRekeyed().Count(scenario.IkeSharp.Log);
        Assert.True(rekeys >= 2, $"{rekeys} IKE SA rekeys in 10 s with {rekeyer} rekeying every 4 s\n{logs}");
        scenario.AssertOneAgreedPair(logs);
        return first;
    }

    [GeneratedRegex("IKE_SA peer rekeyed: SPIs")]
    private static partial Regex IkeRekeyed();
}
