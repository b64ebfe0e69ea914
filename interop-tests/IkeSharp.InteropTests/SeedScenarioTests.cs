namespace IkeSharp.InteropTests;

/// <summary>
/// The seed scenario, as the README's first command runs it: <c>./demo.sh --check</c> builds the
/// five-namespace topology, and passes only if the customer host sees ping and HTTP from the Elastic
/// IP 1.2.3.4, its ping to the Elastic IP reaches the private host while TCP 443 is refused (only
/// ICMP is forwarded), and stopping IkeSharp leaves no NAT table, TUN device, rule or IKE SA behind.
/// </summary>
[Collection("strongSwan lab")]
public class SeedScenarioTests
{
    [SkippableFact]
    public void Demo_check_passes()
    {
        LabRequirements.Check();
        var output = Shell.Run($"{Path.Combine(Repository.Root, "demo.sh")} --check 2>&1", check: false);

        Assert.True(output.Contains("demo check: PASS", StringComparison.Ordinal), output);
        Assert.Contains("IP 1.2.3.4 > 172.31.38.197: ICMP echo request", output);
        Assert.Contains("hello from the customer host 172.31.38.197", output);
        Assert.Contains("its ping to 1.2.3.4 reached the private host", output);
    }
}
