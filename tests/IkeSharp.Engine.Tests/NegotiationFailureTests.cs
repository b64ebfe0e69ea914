using System.Text;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tests;

public class NegotiationFailureTests
{
    [Fact]
    public void INVALID_KE_PAYLOAD_makes_the_initiator_retry_with_the_wanted_group()
    {
        var lab = new Lab(
            alice: t => t with { IkeProposals = ProposalSyntax.Parse("aes256-sha256-ecp256-modp2048", ProtocolId.IKE) },
            bob: t => t with { IkeProposals = ProposalSyntax.Parse("aes256-sha256-modp2048", ProtocolId.IKE) }).Establish();

        Assert.Equal(
        [
            "alice: IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",   // KE(ECP_256)
            "bob: IKE_SA_INIT response 0 [ N(INVAL_KE) ]",                                          // wants MODP_2048
            "alice: IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",   // KE(MODP_2048)
            "bob: IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            "alice: IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]",
            "bob: IKE_AUTH response 1 [ IDr AUTH SA TSi TSr ]",
        ], lab.Trace);
        lab.AssertLogged(l => l.Contains("peer wants key exchange method MODP_2048 instead of ECP_256"));
        EstablishmentTests.AssertUp(lab);
    }

    // bob's first tunnel for alice's address ('carol', aes256-sha256-modp2048) negotiates IKE_SA_INIT;
    // alice's IDi belongs to tunnel 'net', which allows only aes128gcm16-prfsha256-ecp256:
    // IKE_AUTH { IDi(alice) ... } -->  <-- { N(AUTHENTICATION_FAILED) }, naming both tunnels' proposals
    [Theory]
    [InlineData("aes128gcm16-prfsha256-ecp256", false)]
    [InlineData("aes128gcm16-prfsha256-ecp256, aes256-sha256-modp2048", true)]
    public void The_tunnel_IKE_AUTH_switches_to_must_allow_the_IKE_proposal_negotiated_before(string netProposals, bool accepted)
    {
        var carol = Lab.DefaultTunnel(initiator: false) with { Name = "carol", RemoteIdentity = Identity.Parse("carol.lab.example") };
        var lab = new Lab(bobOptions: o => o with
        {
            Tunnels = [carol, o.Tunnels[0] with { IkeProposals = ProposalSyntax.Parse(netProposals, ProtocolId.IKE) }],
        }).Establish();

        if (accepted)
        {
            EstablishmentTests.AssertUp(lab);
            Assert.Equal("net", Assert.Single(lab.Bob.Engine.GetStatus()).Tunnel);
            return;
        }

        Assert.Equal("bob: IKE_AUTH response 1 [ N(AUTH_FAILED) ]", lab.Trace[3]);
        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains("tunnel 'net' (IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256) for identity 'alice.lab.example' does not allow the IKE proposal IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048 negotiated in IKE_SA_INIT under tunnel 'carol'"));
    }

    // bob allows one Child SA per IKE SA:  CREATE_CHILD_SA { SA, Ni, TSi, TSr } -->  <-- { N(NO_ADDITIONAL_SAS) }
    [Fact]
    public void A_Child_SA_beyond_max_child_sas_is_NO_ADDITIONAL_SAS_naming_the_limit()
    {
        var web = new ChildConfig("web", [TrafficSelectorNarrowing.FromPrefix("10.1.1.0/24")], [TrafficSelectorNarrowing.FromPrefix("10.2.1.0/24")], ProposalSyntax.Parse("aes256gcm16", ProtocolId.ESP));
        var lab = new Lab(
            alice: t => t with { Children = [.. t.Children, web] },
            bob: t => t with { MaxChildSas = 1, Children = [.. t.Children, web with { LocalTrafficSelectors = web.RemoteTrafficSelectors, RemoteTrafficSelectors = web.LocalTrafficSelectors }] }).Establish();

        Assert.Equal(["alice: CREATE_CHILD_SA request 2 [ SA No TSi TSr ]", "bob: CREATE_CHILD_SA response 2 [ N(NO_ADD_SAS) ]"], lab.Trace.Skip(4));
        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains("tunnel 'net' allows 1 Child SAs per IKE SA (max_child_sas) and has them"));
        Assert.Single(lab.Bob.Installed);
        lab.Run(TimeSpan.FromMinutes(5));
        Assert.Single(lab.Bob.Engine.GetStatus()); // the IKE SA stays, with its one Child SA
    }

    // TSi { 10.1.0.1, 10.1.0.2, 10.1.0.3 }, bob allows two selectors per side after narrowing:
    // IKE_AUTH { ... TSi, TSr } -->  <-- { IDr, AUTH, N(TS_UNACCEPTABLE) }
    [Fact]
    public void More_selectors_than_max_traffic_selectors_are_TS_UNACCEPTABLE_naming_the_limit()
    {
        var selectors = Enumerable.Range(1, 3).Select(i => TrafficSelector.ForRange(System.Net.IPAddress.Parse($"10.1.0.{i}"), System.Net.IPAddress.Parse($"10.1.0.{i}"))).ToList();
        var lab = new Lab(
            alice: t => t with { Children = [t.Children[0] with { LocalTrafficSelectors = [.. selectors] }] },
            bob: t => t with { MaxTrafficSelectors = 2 }).Establish();

        Assert.Equal("bob: IKE_AUTH response 1 [ IDr AUTH N(TS_UNACCEPT) ]", lab.Trace[3]);
        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains("CHILD_SA net: 3 TSi and 1 TSr selectors after narrowing, more than the 2 per side tunnel 'net' allows (max_traffic_selectors)"));
        Assert.Empty(lab.Bob.Installed);
    }

    [Fact]
    public void Responder_above_its_half_open_threshold_demands_a_COOKIE()
    {
        var lab = new Lab(bobOptions: o => o with { CookieThreshold = 0 }).Establish();

        Assert.Equal(
        [
            "alice: IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            "alice: IKE_SA_INIT request 0 [ N(COOKIE) SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            "bob: IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            "alice: IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]",
            "bob: IKE_AUTH response 1 [ IDr AUTH SA TSi TSr ]",
        ], lab.Trace); // bob's stateless COOKIE response is sent without an IKE SA, so it is not in the trace
        Assert.Equal(1, lab.Bob.Engine.Statistics.CookiesSent);
        EstablishmentTests.AssertUp(lab);
    }

    [Fact]
    public void No_common_proposal_is_NO_PROPOSAL_CHOSEN_with_both_sides_named()
    {
        var lab = new Lab(bob: t => t with { IkeProposals = ProposalSyntax.Parse("aes128gcm16-prfsha384-ecp384", ProtocolId.IKE) }).Establish();

        Assert.Equal("bob: IKE_SA_INIT response 0 [ N(NO_PROP) ]", lab.Trace[1]);
        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains("no acceptable proposal: ENCR configured AES_GCM_16_128, received AES_CBC_256")
            && l.Contains("received IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"));
        lab.AssertLogged(l => l.StartsWith("alice:") && l.Contains("peer answered NO_PROPOSAL_CHOSEN; configured IKE:AES_CBC_256"));
        AssertDown(lab);
    }

    [Fact]
    public void Wrong_PSK_is_AUTHENTICATION_FAILED_and_both_sides_say_why()
    {
        var lab = new Lab(bob: t => t with { RemoteAuth = AuthConfig.Psk(Encoding.UTF8.GetBytes("another-psk-0123456789")) }).Establish();

        Assert.Equal("bob: IKE_AUTH response 1 [ N(AUTH_FAILED) ]", lab.Trace[3]);
        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains("AUTH does not match the pre-shared key configured for tunnel 'net'"));
        lab.AssertLogged(l => l.StartsWith("alice:") && l.Contains("peer rejected our authentication (AUTHENTICATION_FAILED)"));
        lab.AssertNotLogged(l => l.Contains("another-psk") || l.Contains("lab-psk"));
        AssertDown(lab);
    }

    [Fact]
    public void Unexpected_peer_identity_is_AUTHENTICATION_FAILED()
    {
        var lab = new Lab(bob: t => t with { RemoteIdentity = Identity.Parse("mallory.lab.example") }).Establish();

        Assert.Equal("bob: IKE_AUTH response 1 [ N(AUTH_FAILED) ]", lab.Trace[3]);
        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains("no tunnel accepts identity 'alice.lab.example' (ID_FQDN)") && l.Contains("net=mallory.lab.example"));
        AssertDown(lab);
    }

    [Fact]
    public void Responder_with_unexpected_identity_is_rejected_by_the_initiator()
    {
        var lab = new Lab(bob: t => t with { LocalIdentity = Identity.Parse("192.0.2.2") }, alice: t => t with { RemoteIdentity = null }).Establish();
        var strict = new Lab(alice: t => t with { RemoteIdentity = Identity.Parse("carol.lab.example") }, bob: t => t with { LocalIdentity = Identity.Parse("bob.lab.example") });
        strict.Establish();

        EstablishmentTests.AssertUp(lab); // no configured remote identity: whatever bob proves is accepted
        Assert.Equal("bob: IKE_AUTH response 1 [ N(AUTH_FAILED) ]", strict.Trace[3]); // IDr names someone bob is not
    }

    [Fact]
    public void Responder_narrows_traffic_selectors_to_its_policy()
    {
        // TSi 10.1.0.0/16 offered, bob allows 10.1.0.0/24 for alice's side
        var lab = new Lab(alice: t => t with { Children = [t.Children[0] with { LocalTrafficSelectors = [TrafficSelectorNarrowing.FromPrefix("10.1.0.0/16")] }] }).Establish();

        EstablishmentTests.AssertUp(lab);
        Assert.Equal(["10.1.0.0/24"], lab.Alice.Installed[0].LocalTrafficSelectors.Select(t => t.ToString()));
        Assert.Equal(["10.1.0.0/24"], lab.Bob.Installed[0].RemoteTrafficSelectors.Select(t => t.ToString()));
    }

    [Fact]
    public void Disjoint_selectors_are_TS_UNACCEPTABLE_but_the_IKE_SA_stays()
    {
        var lab = new Lab(bob: t => t with { Children = [t.Children[0] with { RemoteTrafficSelectors = [TrafficSelectorNarrowing.FromPrefix("10.9.0.0/24")] }] }).Establish();

        Assert.Equal("bob: IKE_AUTH response 1 [ IDr AUTH N(TS_UNACCEPT) ]", lab.Trace[3]);
        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains("no child of tunnel 'net' accepts TSi 10.1.0.0/24 TSr 10.2.0.0/24"));
        Assert.All(new[] { lab.Alice, lab.Bob }, n => Assert.Empty(Assert.Single(n.Engine.GetStatus()).Children));
        Assert.Empty(lab.Alice.Installed);
    }

    [Fact]
    public void ESP_proposal_mismatch_is_NO_PROPOSAL_CHOSEN_for_the_child_only()
    {
        var lab = new Lab(bob: t => t with { Children = [t.Children[0] with { EspProposals = ProposalSyntax.Parse("aes128-sha1", ProtocolId.ESP) }] }).Establish();

        Assert.Equal("bob: IKE_AUTH response 1 [ IDr AUTH N(NO_PROP) ]", lab.Trace[3]);
        lab.AssertLogged(l => l.StartsWith("alice:") && l.Contains("peer answered NO_PROPOSAL_CHOSEN; configured ESP:AES_GCM_16_256/NO_EXT_SEQ"));
    }

    private static void AssertDown(Lab lab)
    {
        Assert.Empty(lab.Alice.Engine.GetStatus());
        Assert.Empty(lab.Bob.Engine.GetStatus());
        Assert.Empty(lab.Alice.Installed);
        Assert.Empty(lab.Bob.Installed);
    }
}
