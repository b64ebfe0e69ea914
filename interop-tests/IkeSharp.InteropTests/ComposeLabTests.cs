namespace IkeSharp.InteropTests;

/// <summary>
/// The docker-compose lab as a user runs it (docker/lab.sh, with podman's Docker API where no Docker
/// engine runs): images built without a registry, the topology up, its check passing, a wrong PSK on
/// the customer side explained by IkeSharp from its side alone, and nothing left after <c>down</c> —
/// also when a step fails.
/// </summary>
[Collection("compose lab")]
public sealed class ComposeLabTests
{
    // A first run builds the base image with debootstrap and three images with apt-get.
    private static readonly TimeSpan BringUp = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(5);
    private static readonly string Lab = Path.Combine(Repository.Root, "docker", "lab.sh");

    [SkippableFact]
    public void Seed_lab_passes_its_check_and_explains_a_wrong_psk()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "the compose lab needs root (containers with NET_ADMIN); run ./test.sh as root");
        RunLab("seed", () =>
        {
            Check("seed",
                "the customer host saw ping from the Elastic IP 1.2.3.4",
                "the customer host saw HTTP from the Elastic IP 1.2.3.4",
                "TCP 443 to the Elastic IP is not forwarded",
                "internet egress is masqueraded behind the NAT instance's 198.51.100.10",
                "every lab network is internal and sealed from this machine's uplink");

            var broken = Shell.Run($"{Lab} break-psk 2>&1", check: false, timeout: Step);
            Assert.Contains("peer rejected our authentication (AUTHENTICATION_FAILED): check that it expects our ID '1.2.3.4' and the same psk", broken);
            Assert.Contains("but MAC mismatched", broken); // strongSwan's view of the same failure
            Assert.Contains("PASS the tunnel comes back with the right PSK", broken);
        });
    }

    [SkippableFact]
    public void Reserved_EIP_lab_passes_its_check()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "the compose lab needs root (containers with NET_ADMIN); run ./test.sh as root");
        RunLab("reserved-eip", () => Check("reserved-eip",
            "110.220.10.7 was forwarded to its target 172.16.0.5",
            "110.220.10.135 was forwarded to its target 172.16.0.6",
            "the partner saw 172.16.0.5's ping from the reserved EIP 54.17.45.23",
            "internet egress is masqueraded behind the NAT instance's 54.17.32.74"));
    }

    /// <summary><c>lab.sh check</c> with no failed step, and these among its passed ones.</summary>
    private static void Check(string layout, params string[] passed)
    {
        var check = Shell.Run($"{Lab} --layout {layout} check 2>&1", check: false, timeout: Step);
        Assert.True(check.Contains($"lab check ({layout}): ", StringComparison.Ordinal) && check.Contains(" passed, 0 failed", StringComparison.Ordinal), check);
        foreach (var step in passed)
        {
            Assert.True(check.Contains("PASS " + step, StringComparison.Ordinal), $"not passed: {step}\n{check}");
        }
    }

    private static void RunLab(string layout, Action whileUp)
    {
        var down = "";
        try
        {
            var up = Shell.Run($"{Lab} --layout {layout} up 2>&1", check: false, timeout: BringUp);
            Assert.True(up.Contains("Lab up.", StringComparison.Ordinal), up);
            whileUp();
        }
        finally
        {
            down = Shell.Run($"{Lab} --layout {layout} down 2>&1", check: false, timeout: Step);
        }

        // Nothing of the lab is left: containers, its bridges, the seal, the API service it started.
        var left = Shell.Run("podman ps -a --format '{{.Names}}' 2>/dev/null; ip -o link show type bridge | grep -o ' iks-[a-z-]*'; nft list table inet ikesharp_lab 2>/dev/null | head -1; pgrep -af '^podman system service' || true", check: false);
        Assert.True(!left.Contains("ikesharp-lab-", StringComparison.Ordinal) && !left.Contains("iks-", StringComparison.Ordinal)
            && !left.Contains("table inet", StringComparison.Ordinal) && !left.Contains("/run/ikesharp-lab/", StringComparison.Ordinal), left + down);
    }
}
