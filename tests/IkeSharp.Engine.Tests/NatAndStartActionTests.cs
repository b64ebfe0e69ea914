using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tests;

/// <summary>NAT traversal (RFC 7296 §2.23, RFC 3948), start actions and retries.</summary>
public class NatAndStartActionTests
{
    [Fact]
    public void Behind_a_NAT_the_initiator_floats_to_4500_and_sends_keepalives()
    {
        var lab = new Lab(alice: t => t with { NatKeepalive = TimeSpan.FromSeconds(20) }, bob: t => t with { RemoteAddresses = [] }) { AliceBehindNat = true };
        lab.Establish();

        lab.AssertLogged(l => l == "alice: NAT detection: local host is behind NAT, remote host is not behind NAT");
        lab.AssertLogged(l => l == "bob: NAT detection: local host is not behind NAT, remote host is behind NAT");
        var alice = Assert.Single(lab.Alice.Engine.GetStatus());
        Assert.Equal(4500, alice.Local.Port);
        Assert.True(alice.UdpEncapsulation);
        Assert.True(lab.Alice.Installed[0].UdpEncapsulation);
        Assert.Equal(Lab.NatAddress, lab.Bob.Installed[0].Remote.Address); // bob sends ESP to the NAT's mapping
        Assert.Equal(14500, lab.Bob.Installed[0].Remote.Port);

        lab.Run(TimeSpan.FromSeconds(21));
        var keepalive = Assert.Single(lab.Alice.Sent, d => d.Datagram is [0xff]);
        Assert.Equal(4500, keepalive.Remote.Port);
        Assert.DoesNotContain(lab.Bob.Sent, d => d.Datagram is [0xff]);
    }

    [Fact]
    public void NAT_rebinding_moves_IKE_and_the_Child_SA_to_the_new_port()
    {
        var lab = new Lab(alice: t => t with { DpdDelay = TimeSpan.FromSeconds(10) }, bob: t => t with { RemoteAddresses = [] }) { AliceBehindNat = true };
        lab.Establish();

        lab.NatPortOffset = 20000; // the NAT forgot alice's mapping and picked a new port
        lab.Run(TimeSpan.FromSeconds(12)); // alice's liveness check arrives from the new port

        var update = Assert.Single(lab.Bob.EndpointUpdates);
        Assert.Equal(lab.Bob.Installed[0].InboundSpi, update.InboundSpi);
        Assert.Equal(24500, update.Remote.Port);
        Assert.Equal(24500, Assert.Single(lab.Bob.Engine.GetStatus()).Remote.Port);
    }

    [Fact]
    public void Forced_encapsulation_makes_the_peer_see_a_NAT()
    {
        // strongSwan encap=yes: a NAT_DETECTION_SOURCE_IP that cannot match.
        var lab = new Lab(alice: t => t with { ForceEncapsulation = true }).Establish();

        lab.AssertLogged(l => l == "bob: NAT detection: local host is not behind NAT, remote host is behind NAT");
        Assert.True(lab.Alice.Installed[0].UdpEncapsulation);
        Assert.True(lab.Bob.Installed[0].UdpEncapsulation);
        Assert.Equal(4500, lab.Bob.Installed[0].Local.Port);
    }

    [Fact]
    public void Trap_start_action_installs_policies_and_the_first_packet_brings_the_tunnel_up()
    {
        var lab = new Lab(alice: t => t with { StartAction = StartAction.Trap });
        lab.Alice.Engine.Start();
        lab.Run(TimeSpan.FromSeconds(5));

        Assert.Empty(lab.Trace);
        Assert.Equal("net", Assert.Single(lab.Alice.Traps).Tunnel);

        lab.Alice.Engine.OnDatapathEvent(new TrafficAcquired("net", "10.1.0.5 === 10.2.0.7"));
        lab.Alice.Engine.OnDatapathEvent(new TrafficAcquired("net", "10.1.0.5 === 10.2.0.7")); // a second packet while connecting adds nothing
        lab.Run(TimeSpan.FromSeconds(2));

        EstablishmentTests.AssertUp(lab);
        Assert.Single(lab.Trace, l => l.StartsWith("alice: IKE_SA_INIT request"));
    }

    [Fact]
    public void Dead_peer_with_dpd_action_trap_waits_for_traffic()
    {
        var lab = new Lab(alice: t => t with { DpdDelay = TimeSpan.FromSeconds(10), DpdAction = DpdAction.Trap }).Establish();
        lab.Bob.Online = false;
        lab.Run(TimeSpan.FromSeconds(200));

        Assert.Empty(lab.Alice.Engine.GetStatus());
        Assert.Single(lab.Alice.Traps);
        Assert.Single(lab.Trace, l => l.StartsWith("alice: IKE_SA_INIT request"));
    }

    [Fact]
    public void Failed_attempts_are_retried_with_backoff_until_keyingtries_run_out()
    {
        var lab = new Lab(
            alice: t => t with { KeyingTries = 3, Retransmit = new RetransmitPolicy(TimeSpan.FromSeconds(1), 2, 0) },
            bob: t => t with { RemoteAuth = AuthConfig.Psk("wrong-psk-0123456789"u8.ToArray()) });
        lab.Establish(TimeSpan.FromMinutes(2));

        Assert.Equal(3, lab.Trace.Count(l => l.StartsWith("alice: IKE_AUTH request")));
        lab.AssertLogged(l => l.Contains("retrying tunnel net in 00:00:05 (2 tries left)"));
        lab.AssertLogged(l => l.Contains("retrying tunnel net in 00:00:10 (1 tries left)"));
        Assert.Contains(lab.Alice.States, s => s.Reason == "giving up after 3 attempts (keyingtries=3)");
    }

    [Fact]
    public void Further_children_are_created_with_CREATE_CHILD_SA_and_PFS()
    {
        ChildConfig Web(bool initiator) => new("web",
            [TrafficSelectorNarrowing.FromPrefix(initiator ? "10.1.1.0/24" : "10.2.1.0/24", 6)],
            [TrafficSelectorNarrowing.FromPrefix(initiator ? "10.2.1.0/24" : "10.1.1.0/24", 6)],
            ProposalSyntax.Parse("aes128-sha256-ecp256", ProtocolId.ESP));
        var lab = new Lab(alice: t => t with { Children = [.. t.Children, Web(true)] }, bob: t => t with { Children = [.. t.Children, Web(false)] }).Establish();

        Assert.Equal(
        [
            // HDR, SK { SA, Ni, KEi, TSi, TSr }  -->
            "alice: CREATE_CHILD_SA request 2 [ SA No KE TSi TSr ]",
            //                  <--  HDR, SK { SA, Nr, KEr, TSi, TSr }
            "bob: CREATE_CHILD_SA response 2 [ SA No KE TSi TSr ]",
        ], lab.Trace.Skip(4));
        Assert.Equal(["net", "web"], lab.Bob.Installed.Select(i => i.Child));
        var (a, b) = (lab.Alice.Installed[1], lab.Bob.Installed[1]);
        Assert.Equal(KeyExchangeMethod.ECP_256, a.Suite.KeyExchange);
        Assert.Equal(Convert.ToHexString(a.OutboundEncryptionKey.Span), Convert.ToHexString(b.InboundEncryptionKey.Span));
        Assert.Equal(Convert.ToHexString(a.InboundIntegrityKey.Span), Convert.ToHexString(b.OutboundIntegrityKey.Span));
        Assert.Equal(["10.1.1.0/24[tcp]"], a.LocalTrafficSelectors.Select(t => t.ToString()));
    }
}
