using IkeSharp.Engine.Configuration;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tests;

/// <summary>
/// A tunnel that is to stay up (start_action = start) comes back by itself: after the peer deletes
/// its IKE SA, after a hard lifetime, and its Child SA after the peer deletes only that (a Child SA's own hard
/// lifetime: ChildLifetimeTests); a tunnel
/// the operator closed, or one that only answers, stays down.
/// </summary>
public class ReinitiationTests
{
    [Fact]
    public void The_peer_deleting_the_IKE_SA_brings_the_tunnel_up_again_after_the_reconnect_delay()
    {
        var lab = new Lab().Establish();

        // <--  HDR, SK { D(IKE) }
        lab.Bob.Engine.Terminate("net");
        lab.Run(TimeSpan.FromSeconds(4));
        Assert.Empty(lab.Alice.Engine.GetStatus()); // not at once: a peer that re-establishes itself gets the chance

        lab.Run(TimeSpan.FromSeconds(5));

        Assert.Equal(
        [
            "bob: INFORMATIONAL request 0 [ D ]",
            "alice: INFORMATIONAL response 0 [ ]",
            "alice: IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            "bob: IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            "alice: IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]",
            "bob: IKE_AUTH response 1 [ IDr AUTH SA TSi TSr ]",
        ], lab.Trace.Skip(4));
        Assert.Single(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
        lab.AssertLogged(l => l.Contains("retrying tunnel net in 00:00:05 (1 tries left): the IKE SA went down (deleted by peer)", StringComparison.Ordinal));
    }

    [Fact]
    public void An_IKE_SA_that_reached_its_hard_lifetime_is_replaced_by_a_new_one()
    {
        // Alice's rekeys get lost, so the SA reaches rekey_time + over_time; a new IKE SA follows.
        var lab = new Lab(alice: t => t with { IkeLifetime = IkeLifetime.Defaults(TimeSpan.FromMinutes(10), TimeSpan.Zero, TimeSpan.FromSeconds(30), TimeSpan.Zero) }).Establish();
        lab.Lose = (from, d) => from.Name == "alice" && OwnershipTests.IsExchange(d, ExchangeType.CREATE_CHILD_SA);

        lab.Run(TimeSpan.FromMinutes(14));
        lab.Lose = (_, _) => false;
        lab.Run(TimeSpan.FromMinutes(1));

        lab.AssertLogged(l => l.Contains("IKE_SA net reached its hard lifetime (630s) without a rekey: deleting it", StringComparison.Ordinal));
        Assert.Equal(2, lab.Trace.Count(t => t.StartsWith("alice: IKE_AUTH request", StringComparison.Ordinal)));
        Assert.Single(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
    }

    [Fact]
    public void Closed_by_the_operator_the_tunnel_stays_down()
    {
        var lab = new Lab().Establish();

        lab.Alice.Engine.Terminate("net");
        lab.Run(TimeSpan.FromMinutes(10));

        Assert.Empty(lab.Alice.Engine.GetStatus());
        Assert.Single(lab.Trace, t => t.StartsWith("alice: IKE_SA_INIT request", StringComparison.Ordinal));
    }

    [Fact]
    public void Up_right_after_down_brings_up_a_new_IKE_SA_while_the_old_one_is_deleted()
    {
        var lab = new Lab().Establish();

        // What 'ikesharp down' and 'ikesharp up' do when typed together (the compose lab's break-psk).
        lab.Alice.Engine.Terminate("net");
        lab.Alice.Engine.Initiate("net");
        lab.Run(TimeSpan.FromSeconds(2));

        Assert.Equal(
        [
            "alice: INFORMATIONAL request 2 [ D ]",
            "alice: IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            "bob: INFORMATIONAL response 2 [ ]",
            "bob: IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            "alice: IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]",
            "bob: IKE_AUTH response 1 [ IDr AUTH SA TSi TSr ]",
        ], lab.Trace.Skip(4));
        Assert.Single(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
        Assert.Single(Assert.Single(lab.Bob.Engine.GetStatus()).Children);
    }

    [Fact]
    public void A_responder_only_tunnel_does_not_initiate_when_the_peer_deletes_its_IKE_SA()
    {
        var lab = new Lab().Establish();

        lab.Alice.Engine.Terminate("net"); // alice, the initiator, closes: bob only answers and stays quiet
        lab.Run(TimeSpan.FromMinutes(10));

        Assert.DoesNotContain(lab.Trace, t => t.StartsWith("bob: IKE_SA_INIT request", StringComparison.Ordinal));
        Assert.Empty(lab.Bob.Engine.GetStatus());
    }

    [Fact]
    public void A_Child_SA_the_peer_deletes_is_created_again_on_the_same_IKE_SA()
    {
        var lab = new Lab().Establish();

        // <--  HDR, SK { D(ESP, SPI) }       (bob's Child SA reached its hard lifetime)
        lab.Bob.Engine.OnDatapathEvent(new ChildSaExpired(lab.Bob.Installed[0].InboundSpi, Hard: true));
        lab.Run(TimeSpan.FromSeconds(2));

        Assert.Equal(
        [
            "bob: INFORMATIONAL request 0 [ D ]",
            "alice: INFORMATIONAL response 0 [ D ]",
            // HDR, SK { SA, Ni, TSi, TSr }  -->
            "alice: CREATE_CHILD_SA request 2 [ SA No TSi TSr ]",
            "bob: CREATE_CHILD_SA response 2 [ SA No TSi TSr ]",
        ], lab.Trace.Skip(4));
        var alice = Assert.Single(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
        var bob = Assert.Single(Assert.Single(lab.Bob.Engine.GetStatus()).Children);
        Assert.Equal((alice.InboundSpi, alice.OutboundSpi), (bob.OutboundSpi, bob.InboundSpi));
        lab.AssertLogged(l => l.StartsWith("alice", StringComparison.Ordinal) && l.Contains("CHILD_SA net went away while the tunnel is to stay up", StringComparison.Ordinal));
    }
}
