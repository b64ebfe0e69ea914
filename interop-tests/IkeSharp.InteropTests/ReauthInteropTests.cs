using System.Text.RegularExpressions;

namespace IkeSharp.InteropTests;

/// <summary>
/// Reauthentication and the peer closing things, against strongSwan 5.9.8 with lifetimes of seconds:
/// strongSwan reauthenticates make-before-break (no ping lost) and break-before-make (the tunnel comes
/// back), IkeSharp reauthenticates make-before-break (no ping lost), strongSwan deletes the IKE SA
/// (IkeSharp, start_action = start, comes back) or the Child SA (IkeSharp creates it again on the
/// same IKE SA). At the end each side holds one IKE SA with the same SPIs and one Child SA.
/// </summary>
[Collection("strongSwan lab")]
public partial class ReauthInteropTests
{
    private const string StrongSwanReauth = "rekey_time = 0\n            reauth_time = 4s\n            over_time = 20s\n            rand_time = 0";
    private const string IkeSharpReauth = "rekey_time = 0\n                reauth_time = 4s\n                over_time = 20s\n                rand_time = 0";

    [SkippableFact]
    public void StrongSwan_reauthenticating_make_before_break_loses_no_ping()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options { StrongSwanExtra = StrongSwanReauth, StrongSwanCharon = "make_before_break = yes" });

        var (first, logs) = scenario.PingThroughRekeys();

        var replaced = Superseded().Count(scenario.IkeSharp.Log);
        Assert.True(replaced >= 2, $"{replaced} IKE SAs replaced by strongSwan's reauthentication in 10 s (every 4 s)\n{logs}");
        Assert.DoesNotContain("tunnel peer is down", scenario.IkeSharp.Log, StringComparison.OrdinalIgnoreCase);
        scenario.AssertOneAgreedPair(logs);
        Assert.NotEqual(first, scenario.IkeSharp.EstablishedIkeSa("peer")!["child-sas"]![0]!["spi-in"]!.ToString()); // new Child SAs, not moved
    }

    [SkippableFact]
    public void StrongSwan_reauthenticating_break_before_make_brings_the_tunnel_back()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options { StrongSwanExtra = StrongSwanReauth });
        scenario.WaitEstablished();

        // strongSwan 5's default: it deletes the IKE SA, then initiates a new one at once.
        Assert.True(Shell.WaitUntil(() => StrongSwanDeleted().Count(scenario.StrongSwan.Log) >= 2, TimeSpan.FromSeconds(20)), scenario.StrongSwan.Log);
        scenario.WaitEstablished();
        var logs = $"--- IkeSharp ---\n{scenario.IkeSharp.Log}\n--- strongSwan ---\n{scenario.StrongSwan.Log}";
        Assert.True(Shell.WaitUntil(() => Pings(scenario, 3), TimeSpan.FromSeconds(15)), logs);
        scenario.AssertOneAgreedPair(logs, TimeSpan.FromSeconds(8));
    }

    [SkippableFact]
    public void IkeSharp_reauthenticating_make_before_break_loses_no_ping()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options { IkeSharpExtra = IkeSharpReauth });

        var (first, logs) = scenario.PingThroughRekeys();

        var reauths = Reauthenticated().Count(scenario.IkeSharp.Log);
        Assert.True(reauths >= 2, $"{reauths} reauthentications by IkeSharp in 10 s (every 4 s)\n{logs}");
        scenario.AssertOneAgreedPair(logs);
        Assert.NotEqual(first, scenario.IkeSharp.EstablishedIkeSa("peer")!["child-sas"]![0]!["spi-in"]!.ToString());
    }

    [SkippableFact]
    public void StrongSwan_deleting_the_IKE_SA_brings_IkeSharp_back_after_the_reconnect_delay()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options());
        var (before, _) = scenario.WaitEstablished();

        scenario.StrongSwan.Swanctl("--terminate --ike peer --timeout 10");

        var logs = "";
        Assert.True(Shell.WaitUntil(() =>
        {
            var now = scenario.IkeSharp.EstablishedIkeSa("peer");
            logs = $"--- IkeSharp ---\n{scenario.IkeSharp.Log}\n--- strongSwan ---\n{scenario.StrongSwan.Log}";
            return now is not null && now["initiator-spi"]!.ToString() != before["initiator-spi"]!.ToString();
        }, TimeSpan.FromSeconds(20)), logs);
        scenario.WaitEstablished();
        Assert.True(Shell.WaitUntil(() => Pings(scenario, 3), TimeSpan.FromSeconds(10)), logs);
        scenario.AssertOneAgreedPair(logs);
    }

    [SkippableFact]
    public void StrongSwan_deleting_the_Child_SA_has_IkeSharp_create_it_again_on_the_same_IKE_SA()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options());
        var (before, _) = scenario.WaitEstablished();
        var child = before["child-sas"]![0]!["spi-in"]!.ToString();

        scenario.StrongSwan.Swanctl("--terminate --child net --timeout 10");

        var logs = "";
        Assert.True(Shell.WaitUntil(() =>
        {
            var now = scenario.IkeSharp.EstablishedIkeSa("peer");
            logs = $"--- IkeSharp ---\n{scenario.IkeSharp.Log}\n--- strongSwan ---\n{scenario.StrongSwan.Log}";
            return now?["child-sas"]?.AsArray() is { Count: 1 } children && children[0]!["spi-in"]!.ToString() != child;
        }, TimeSpan.FromSeconds(15)), logs);
        Assert.Equal(before["initiator-spi"]!.ToString(), scenario.IkeSharp.EstablishedIkeSa("peer")!["initiator-spi"]!.ToString());
        Assert.True(Shell.WaitUntil(() => Pings(scenario, 3), TimeSpan.FromSeconds(10)), logs);
        scenario.AssertOneAgreedPair(logs);
    }

    private static bool Pings(Scenario scenario, int count)
        => Shell.Run($"ip netns exec {scenario.Lab.Left} ping -c {count} -i 0.2 -W 1 -I {scenario.Lab.LeftSubnetHost} {scenario.Lab.RightSubnetHost}", check: false)
            .Contains($"{count} packets transmitted, {count} received", StringComparison.Ordinal);

    [GeneratedRegex("IKE_SA peer ended \\([^)]*\\); the tunnel goes on in IKE_SA")]
    private static partial Regex Superseded();

    [GeneratedRegex("IKE_SA peer reauthenticated: SPIs")]
    private static partial Regex Reauthenticated();

    [GeneratedRegex("deleting IKE_SA peer")]
    private static partial Regex StrongSwanDeleted();
}
