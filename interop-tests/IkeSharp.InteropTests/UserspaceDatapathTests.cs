namespace IkeSharp.InteropTests;

/// <summary>
/// IkeSharp's user-space ESP datapath (TUN) against strongSwan's kernel-libipsec: packets between
/// the protected subnets cross the tunnel in both directions, for AES-GCM and AES-CBC+HMAC, with
/// IkeSharp as initiator and as responder, and through a NAT.
/// </summary>
[Collection("strongSwan lab")]
public class UserspaceDatapathTests
{
    [SkippableTheory]
    [InlineData("aes128gcm16", true, false)]
    [InlineData("aes256-sha256", true, false)]
    [InlineData("aes128gcm16", false, false)]
    [InlineData("aes256-sha1", true, true)]
    public void Ping_crosses_the_tunnel_both_ways(string esp, bool ikesharpInitiates, bool withNat)
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options { EspProposals = esp, IkeSharpInitiates = ikesharpInitiates, WithNat = withNat });
        scenario.WaitEstablished();
        var lab = scenario.Lab;

        // One warm-up packet: neighbour discovery in the NAT namespace may hold the very first.
        Shell.Run($"ip netns exec {lab.Left} ping -c 1 -W 2 -I {lab.LeftSubnetHost} {lab.RightSubnetHost}", check: false);
        var outbound = Shell.Run($"ip netns exec {lab.Left} ping -c 3 -i 0.2 -W 2 -I {lab.LeftSubnetHost} {lab.RightSubnetHost}", check: false);
        var inbound = Shell.Run($"ip netns exec {lab.Right} ping -c 3 -i 0.2 -W 2 -I {lab.RightSubnetHost} {lab.LeftSubnetHost}", check: false);

        Assert.True(outbound.Contains("3 received", StringComparison.Ordinal), $"{outbound}\n--- IkeSharp ---\n{scenario.IkeSharp.Log}\n--- strongSwan ---\n{scenario.StrongSwan.Log}");
        Assert.True(inbound.Contains("3 received", StringComparison.Ordinal), inbound);
        var sas = scenario.StrongSwan.ListSas();
        // 3 requests from us and 3 replies to its pings each way (plus the warm-up)
        Assert.InRange(int.Parse(sas.Value("packets-in")!, System.Globalization.CultureInfo.InvariantCulture), 6, 7);
        Assert.InRange(int.Parse(sas.Value("packets-out")!, System.Globalization.CultureInfo.InvariantCulture), 6, 7);
        var child = scenario.IkeSharp.EstablishedIkeSa("peer")!["child-sas"]![0]!;
        Assert.Equal(sas.Value("packets-in"), child["packets-out"]!.ToString());
        Assert.Equal(sas.Value("packets-out"), child["packets-in"]!.ToString());
        var drops = scenario.IkeSharp.Status()["statistics"]!["datapath_drops"]!;
        Assert.Equal(0, drops["Integrity"]!.GetValue<long>());
        Assert.Equal(0, drops["Replay"]!.GetValue<long>());
    }

    [SkippableTheory]
    [InlineData("aes128gcm16")]
    [InlineData("aes256-sha256")]
    public void TCP_transfer_with_iperf3_crosses_the_tunnel(string esp)
    {
        LabRequirements.Check();
        Skip.IfNot(File.Exists("/usr/bin/iperf3"), "iperf3 is not installed (./test.sh installs it as root)");
        using var scenario = Scenario.Start(new Scenario.Options { EspProposals = esp });
        scenario.WaitEstablished();
        var received = scenario.Lab.TcpTransfer();

        Assert.True(received > 1_000_000, $"only {received} bytes arrived");
    }
}
