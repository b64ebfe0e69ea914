namespace IkeSharp.InteropTests;

/// <summary>
/// IkeSharp against real strongSwan 5.9.8 (user-space datapath kernel-libipsec) in network
/// namespaces. Pass means strongSwan's own <c>swanctl --list-sas</c> shows the IKE SA and the Child
/// SA with the expected algorithms and selectors, and IkeSharp's status reports the same SPIs.
/// </summary>
[Collection("strongSwan lab")]
public class StrongSwanInteropTests
{
    [SkippableTheory]
    [InlineData("aes256-sha1-modp2048", "aes256-sha1", "AES_CBC", "256", "HMAC_SHA1_96", "PRF_HMAC_SHA1", "MODP_2048")]
    [InlineData("aes192gcm16-aes128gcm16-prfsha256-ecp256-ecp521", "aes192gcm16-aes128gcm16", "AES_GCM_16", "192", null, "PRF_HMAC_SHA2_256", "ECP_256")]
    [InlineData("aes256gcm16-prfsha384-x25519", "aes256gcm16", "AES_GCM_16", "256", null, "PRF_HMAC_SHA2_384", "CURVE_25519")]
    [InlineData("default", "default", "AES_CBC", "128", "HMAC_SHA2_256_128", "PRF_HMAC_SHA2_256", "CURVE_25519")]
    public void IkeSharp_initiates_with_PSK(string ike, string esp, string encr, string keySize, string? integ, string prf, string group)
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options { IkeProposals = ike, EspProposals = esp });

        var (sa, sas) = scenario.WaitEstablished();

        Assert.Equal(encr, sas.Value("encr-alg"));
        Assert.Equal(keySize, sas.Value("encr-keysize"));
        Assert.Equal(integ, sas.Value("integ-alg"));
        Assert.Equal(prf, sas.Value("prf-alg"));
        Assert.Equal(group, sas.Value("dh-group"));
        AssertSameSas(sa, sas);
    }

    [SkippableFact]
    public void StrongSwan_initiates_and_IkeSharp_responds()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options { IkeSharpInitiates = false, IkeProposals = "aes256-sha256-modp2048" });

        var (sa, sas) = scenario.WaitEstablished();

        Assert.False(sa["initiator"]!.GetValue<bool>());
        Assert.Equal("HMAC_SHA2_256_128", sas.Value("integ-alg"));
        AssertSameSas(sa, sas);

        // The operator's view: `ikesharp status` over the control socket.
        var cli = Path.Combine(AppContext.BaseDirectory, "ikesharp.dll");
        var text = Shell.Run($"dotnet {cli} status --socket {scenario.IkeSharp.Socket}");
        Assert.Contains("peer: up (remote 192.0.2.2)", text);
        Assert.Contains($"IKE SA ESTABLISHED, {sas.Value("initiator-spi")}_i {sas.Value("responder-spi")}_r", text);
        Assert.Contains("remote 'right.lab.example' @ 192.0.2.2[4500]", text);
        Assert.Contains($"in  {sas.Value("spi-out")}", text);
    }

    [SkippableFact]
    public void Stopping_IkeSharp_sends_DELETE_to_strongSwan()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options());
        scenario.WaitEstablished();

        scenario.IkeSharp.Stop();

        Assert.True(Shell.WaitUntil(() => !scenario.StrongSwan.ListSas().HasEstablishedIkeSa, TimeSpan.FromSeconds(10)), scenario.StrongSwan.Log);
        Assert.Contains("received DELETE for IKE_SA peer", scenario.StrongSwan.Log);
        Assert.Contains("sending INFORMATIONAL request", scenario.IkeSharp.Log);
    }

    [SkippableFact]
    public void Raw_RSA_4096_public_keys_authenticate_both_ways()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options { PublicKeys = true });

        var (sa, sas) = scenario.WaitEstablished();

        Assert.Contains("authentication of right.lab.example with pubkey successful", scenario.IkeSharp.Log);
        Assert.Contains("authentication of 'left.lab.example' with RSA", scenario.StrongSwan.Log);
        AssertSameSas(sa, sas);
    }

    [SkippableFact]
    public void X509_certificates_from_one_CA_authenticate_both_ways()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options { Certificates = true });

        var (sa, sas) = scenario.WaitEstablished();

        Assert.Contains($"authentication of {Keys.RightDn} with X.509 certificate successful", scenario.IkeSharp.Log);
        Assert.Contains($"authentication of '{Keys.LeftDn}' with ECDSA", scenario.StrongSwan.Log);
        Assert.Equal(Keys.RightDn, sa["remote-id"]!.GetValue<string>());
        AssertSameSas(sa, sas);
    }

    [SkippableFact]
    public void Two_remote_subnets_travel_in_one_Child_SA()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options { TwoRemoteSubnets = true });

        var (sa, sas) = scenario.WaitEstablished();

        Assert.Equal("10.2.0.0/24 10.3.0.0/24", sa["child-sas"]![0]!["remote-ts"]!.GetValue<string>());
        Assert.Contains("local-ts=[10.2.0.0/24 10.3.0.0/24]", sas.Raw);
    }

    [SkippableFact]
    public void IPv6_endpoints_and_selectors()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options { Ipv6 = true });

        var (sa, sas) = scenario.WaitEstablished();

        Assert.Equal("2001:db8::2", sa["remote-host"]!.GetValue<string>());
        Assert.Equal("2001:db8::1", sas.Value("remote-host"));
        AssertSameSas(sa, sas);
    }

    [SkippableFact]
    public void Behind_a_NAT_IkeSharp_floats_to_4500_and_encapsulates()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options { WithNat = true });

        var (sa, sas) = scenario.WaitEstablished();

        Assert.True(sa["nat-local"]!.GetValue<bool>());
        Assert.Equal(4500, sa["local-port"]!.GetValue<int>());
        Assert.Equal(4500, sa["remote-port"]!.GetValue<int>());
        Assert.Equal("yes", sas.Value("nat-remote"));
        Assert.Equal("yes", sas.Value("encap"));
        Assert.Equal(scenario.Lab.NatAddress, sas.Value("remote-host"));
        AssertSameSas(sa, sas);
    }

    [SkippableFact]
    public void Dead_strongSwan_is_noticed_by_DPD_and_the_tunnel_returns_with_it()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options
        {
            IkeSharpExtra = "dpd_delay = 2s\n        dpd_action = restart\n        keyingtries = %forever\n        retransmit_timeout = 1s\n        retransmit_tries = 2",
        });
        var (before, _) = scenario.WaitEstablished();

        scenario.StrongSwan.Kill();
        var killedAt = DateTime.UtcNow;
        // 2 s of silence, then 1 + 1.8 + 3.24 s of unanswered liveness checks.
        Assert.True(Shell.WaitUntil(() => scenario.IkeSharp.Log.Contains("dead peer detected"), TimeSpan.FromSeconds(20)), scenario.IkeSharp.Log);
        var noticedAfter = DateTime.UtcNow - killedAt;

        scenario.StrongSwan.Start();
        var (after, sas) = scenario.WaitEstablished(TimeSpan.FromSeconds(60));

        Assert.InRange(noticedAfter, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15));
        Assert.NotEqual(before["initiator-spi"]!.GetValue<string>(), after["initiator-spi"]!.GetValue<string>());
        AssertSameSas(after, sas);
    }

    /// <summary>Both sides name the same IKE SPIs and mirrored Child SA SPIs and selectors.</summary>
    private static void AssertSameSas(System.Text.Json.Nodes.JsonObject sa, SwanctlSas sas)
    {
        Assert.Equal(sa["initiator-spi"]!.GetValue<string>(), sas.Value("initiator-spi"));
        Assert.Equal(sa["responder-spi"]!.GetValue<string>(), sas.Value("responder-spi"));
        var child = sa["child-sas"]!.AsArray()[0]!;
        Assert.Equal(child["spi-in"]!.GetValue<string>(), sas.Value("spi-out"));
        Assert.Equal(child["spi-out"]!.GetValue<string>(), sas.Value("spi-in"));
        Assert.Equal(child["local-ts"]!.GetValue<string>(), sas.Value("remote-ts")?.Trim('[', ']'));
        Assert.Equal(child["remote-ts"]!.GetValue<string>(), sas.Value("local-ts")?.Trim('[', ']'));
    }
}
