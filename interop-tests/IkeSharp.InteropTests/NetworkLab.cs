namespace IkeSharp.InteropTests;

/// <summary>
/// Two closed network namespaces ("left" runs IkeSharp, "right" runs strongSwan), joined directly
/// or through a third "nat" namespace that masquerades left behind one address. Nothing is joined
/// to this machine's uplink; addresses are documentation ranges that exist only inside the lab.
/// </summary>
internal sealed class NetworkLab : IDisposable
{
    private static int _counter;

    public NetworkLab(bool withNat = false, bool ipv6 = false)
    {
        var id = $"{Environment.ProcessId % 10000}{Interlocked.Increment(ref _counter)}";
        Left = $"iksl{id}";
        Right = $"iksr{id}";
        Nat = withNat ? $"iksn{id}" : null;
        try
        {
            Build(withNat, ipv6);
        }
        catch
        {
            Dispose(); // a half-built lab must not leave namespaces behind
            throw;
        }
    }

    private void Build(bool withNat, bool ipv6)
    {
        foreach (var ns in Namespaces)
        {
            Shell.Run($"ip netns add {ns} && ip -n {ns} link set lo up");
        }

        if (ipv6)
        {
            (LeftAddress, RightAddress) = ("2001:db8::1", "2001:db8::2");
            (LeftSubnet, RightSubnet, RightSecondSubnet) = ("2001:db8:1::/64", "2001:db8:2::/64", "2001:db8:3::/64");
            (LeftSubnetHost, RightSubnetHost, RightSecondSubnetHost) = ("2001:db8:1::1", "2001:db8:2::1", "2001:db8:3::1");
            Link(Left, "wan0", LeftAddress, Right, "wan0", RightAddress, prefix: 64);
        }
        else if (Nat is null)
        {
            Link(Left, "wan0", LeftAddress, Right, "wan0", RightAddress);
        }
        else
        {
            LeftAddress = "192.168.77.2";
            Link(Left, "wan0", LeftAddress, Nat, "lan0", "192.168.77.1");
            Link(Nat, "wan0", NatAddress, Right, "wan0", RightAddress);
            Shell.Run($"ip -n {Left} route add default via 192.168.77.1");
            Shell.Run($"ip netns exec {Nat} sysctl -qw net.ipv4.ip_forward=1");
            Shell.Run($"ip netns exec {Nat} nft 'add table ip lab; add chain ip lab post {{ type nat hook postrouting priority 100; }}; add rule ip lab post oifname wan0 masquerade'");
        }

        // Protected subnets: one address of each on loopback, as kernel-libipsec needs a source there.
        var hostPrefix = ipv6 ? 64 : 24;
        Shell.Run($"ip -n {Left} addr add {LeftSubnetHost}/{hostPrefix} dev lo");
        Shell.Run($"ip -n {Right} addr add {RightSubnetHost}/{hostPrefix} dev lo");
        Shell.Run($"ip -n {Right} addr add {RightSecondSubnetHost}/{hostPrefix} dev lo");
    }

    public string Left { get; }

    public string Right { get; }

    public string? Nat { get; }

    public string LeftAddress { get; private set; } = "192.0.2.1";

    public string RightAddress { get; private set; } = "192.0.2.2";

    public string NatAddress { get; } = "192.0.2.1";

    public string LeftSubnet { get; private set; } = "10.1.0.0/24";

    public string RightSubnet { get; private set; } = "10.2.0.0/24";

    /// <summary>A second subnet behind the right side, for rightsubnets={a,b} setups.</summary>
    public string RightSecondSubnet { get; private set; } = "10.3.0.0/24";

    public string RightSecondSubnetHost { get; private set; } = "10.3.0.1";

    public string LeftSubnetHost { get; private set; } = "10.1.0.1";

    public string RightSubnetHost { get; private set; } = "10.2.0.1";

    /// <summary>An iperf3 TCP transfer from the left protected host to the right one; returns the bytes that arrived.</summary>
    public long TcpTransfer(int seconds = 2)
    {
        var (server, _) = Shell.Start($"ip netns exec {Right} iperf3 -s -1 -B {RightSubnetHost}");
        using (server)
        {
            Thread.Sleep(500);
            var json = Shell.Run($"ip netns exec {Left} iperf3 -c {RightSubnetHost} -B {LeftSubnetHost} -t {seconds} -J");
            var received = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bytes").GetInt64();
            Assert.True(server.WaitForExit(TimeSpan.FromSeconds(10)), "iperf3 server did not finish");
            return received;
        }
    }

    private IEnumerable<string> Namespaces => Nat is null ? [Left, Right] : [Left, Nat, Right];

    public void Dispose()
    {
        foreach (var ns in Namespaces)
        {
            Shell.Run($"ip netns pids {ns} | xargs -r kill -9; ip netns del {ns}", check: false);
        }
    }

    /// <remarks>IPv6 addresses skip duplicate address detection so daemons can bind at once.</remarks>
    private static void Link(string nsA, string ifA, string addressA, string nsB, string ifB, string addressB, int prefix = 24)
    {
        var flags = prefix == 64 ? " nodad" : "";
        Shell.Run($"ip link add {ifA} netns {nsA} type veth peer name {ifB} netns {nsB}");
        Shell.Run($"ip -n {nsA} link set {ifA} up && ip -n {nsA} addr add {addressA}/{prefix} dev {ifA}{flags}");
        Shell.Run($"ip -n {nsB} link set {ifB} up && ip -n {nsB} addr add {addressB}/{prefix} dev {ifB}{flags}");
    }
}
