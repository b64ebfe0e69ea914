namespace IkeSharp.InteropTests;

/// <summary>
/// Switching the service: ikesharpd started on an Openswan-style ipsec.conf and ipsec.secrets (the
/// second seed article's shape: <c>ike=aes256-sha1;modp2048</c>, <c>phase2alg=</c>,
/// <c>forceencaps=yes</c>, a PSK keyed by both identities) brings the tunnel up against strongSwan.
/// </summary>
[Collection("strongSwan lab")]
public class IpsecConfImportInteropTests
{
    [SkippableFact]
    public void IkeSharp_runs_from_an_Openswan_ipsec_conf_against_strongSwan()
    {
        LabRequirements.Check();
        using var scenario = Scenario.Start(new Scenario.Options
        {
            IkeProposals = "aes256-sha1-modp2048",
            EspProposals = "aes256-sha1-modp2048",
            IpsecConf = lab => ($"""
                conn peer
                  authby=secret
                  auto=start
                  type=tunnel
                  left={lab.LeftAddress}
                  leftid=@left.lab.example
                  leftsubnet={lab.LeftSubnet}
                  right={lab.RightAddress}
                  rightid=@right.lab.example
                  rightsubnet={lab.RightSubnet}
                  ike=aes256-sha1;modp2048
                  phase2=esp
                  phase2alg=aes256-sha1;modp2048
                  forceencaps=yes

                """, $"@left.lab.example @right.lab.example: PSK \"{Scenario.Psk}\"\n"),
        });

        var (sa, sas) = scenario.WaitEstablished();

        Assert.Equal(("AES_CBC", "256", "HMAC_SHA1_96", "MODP_2048"), (sas.Value("encr-alg"), sas.Value("encr-keysize"), sas.Value("integ-alg"), sas.Value("dh-group")));
        Assert.Equal("yes", sas.Value("encap")); // forceencaps=yes
        Assert.Equal(sa["initiator-spi"]!.GetValue<string>(), sas.Value("initiator-spi"));
        Assert.Contains("Openswan negotiates IKEv1 unless ikev2= says otherwise", scenario.IkeSharp.Log, StringComparison.Ordinal);
    }
}
