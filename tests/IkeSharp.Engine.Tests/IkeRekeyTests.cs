using IkeSharp.Engine.Configuration;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tests;

/// <summary>
/// IKE SA rekeying (RFC 7296 §1.3.2, §2.18) in both roles, and its collisions (§2.8.2, §2.25.2) with
/// another IKE rekey, a Child SA rekey and a DELETE, with lost messages: the cases of strongSwan's
/// test_ike_rekey.c. After each, both sides hold one IKE SA, the same one, carrying the one Child SA.
/// </summary>
public class IkeRekeyTests
{
    [Fact]
    public void Rekey_by_the_original_initiator_moves_the_Child_SA_to_the_new_IKE_SA_and_deletes_the_old_one()
    {
        var lab = new Lab().Establish();
        var old = Assert.Single(lab.Alice.Engine.GetStatus());

        Lab.Fire(lab.Alice, TimerKind.IkeRekey);
        lab.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(
        [
            // HDR, SK { SA, Ni, KEi }  -->
            "alice: CREATE_CHILD_SA request 2 [ SA No KE ]",
            //                <--  HDR, SK { SA, Nr, KEr }
            "bob: CREATE_CHILD_SA response 2 [ SA No KE ]",
            // HDR, SK { D(IKE) }  -->             (on the old IKE SA)
            "alice: INFORMATIONAL request 3 [ D ]",
            //                <--  HDR, SK { }
            "bob: INFORMATIONAL response 3 [ ]",
        ], lab.Trace.Skip(4));
        var (alice, bob) = LabAssertions.OneAgreedIkeSa(lab);
        Assert.True(alice.Initiator); // the rekey's initiator is the new SA's original initiator
        Assert.NotEqual(old.InitiatorSpi, alice.InitiatorSpi);
        Assert.NotEqual(old.ResponderSpi, alice.ResponderSpi);

        // The ESP SAs stayed where they were: nothing installed or removed, the tunnel never went down.
        foreach (var node in new[] { lab.Alice, lab.Bob })
        {
            Assert.Single(node.Installed);
            Assert.Empty(node.Removed);
            Assert.DoesNotContain(node.States, s => s.State == TunnelState.Down);
        }

        lab.AssertLogged(l => l.StartsWith("alice", StringComparison.Ordinal) && l.Contains($"IKE_SA net rekeyed: SPIs {old.InitiatorSpi}_i {old.ResponderSpi}_r -> {alice.InitiatorSpi}_i {alice.ResponderSpi}_r, 1 CHILD_SA(s) moved", StringComparison.Ordinal));
        lab.AssertLogged(l => l.StartsWith("bob", StringComparison.Ordinal) && l.Contains($"IKE_SA net rekeyed: SPIs {old.InitiatorSpi}_i {old.ResponderSpi}_r -> {alice.InitiatorSpi}_i {alice.ResponderSpi}_r", StringComparison.Ordinal));
    }

    [Fact]
    public void Message_IDs_restart_on_the_new_IKE_SA_whose_keys_both_sides_share()
    {
        var lab = new Lab().Establish();
        Lab.Fire(lab.Alice, TimerKind.IkeRekey);
        lab.Run(TimeSpan.FromSeconds(1));

        // A Child SA rekey, then a liveness check, on the new IKE SA: message IDs 0 and 1 each way,
        // protected with keys derived from the old SA's SK_d (or the peer could not decrypt them).
        lab.Bob.Engine.OnDatapathEvent(new ChildSaExpired(lab.Bob.Installed[0].InboundSpi, Hard: false));
        lab.Run(TimeSpan.FromSeconds(1));
        lab.Alice.Engine.OnDatapathEvent(new ChildSaExpired(lab.Alice.Installed[1].InboundSpi, Hard: false));
        lab.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(
        [
            "bob: CREATE_CHILD_SA request 0 [ N(REKEY_SA) SA No TSi TSr ]",
            "alice: CREATE_CHILD_SA response 0 [ SA No TSi TSr ]",
            "bob: INFORMATIONAL request 1 [ D ]",
            "alice: INFORMATIONAL response 1 [ D ]",
            "alice: CREATE_CHILD_SA request 0 [ N(REKEY_SA) SA No TSi TSr ]",
            "bob: CREATE_CHILD_SA response 0 [ SA No TSi TSr ]",
            "alice: INFORMATIONAL request 1 [ D ]",
            "bob: INFORMATIONAL response 1 [ D ]",
        ], lab.Trace.Skip(8));
        LabAssertions.OneAgreedIkeSa(lab);
    }

    [Fact]
    public void Rekey_by_the_original_responder_makes_it_the_initiator_of_the_new_IKE_SA()
    {
        var lab = new Lab().Establish();

        Lab.Fire(lab.Bob, TimerKind.IkeRekey);
        lab.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(
        [
            "bob: CREATE_CHILD_SA request 0 [ SA No KE ]",
            "alice: CREATE_CHILD_SA response 0 [ SA No KE ]",
            "bob: INFORMATIONAL request 1 [ D ]",
            "alice: INFORMATIONAL response 1 [ ]",
        ], lab.Trace.Skip(4));
        var (alice, bob) = LabAssertions.OneAgreedIkeSa(lab);
        Assert.True(bob.Initiator);
        Assert.False(alice.Initiator);

        // 'up' for a tunnel that is up is nothing to do, whoever started the IKE SA it now runs on.
        lab.Alice.Engine.Initiate("net");
        lab.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(8, lab.Trace.Count);
    }

    [Fact]
    public void The_rekey_time_rekeys_the_IKE_SA_and_the_tunnel_outlives_its_hard_lifetime()
    {
        static TunnelConfig Short(TunnelConfig t) => t with { IkeLifetime = IkeLifetime.Defaults(TimeSpan.FromMinutes(10), TimeSpan.Zero, rand: TimeSpan.Zero) };
        var lab = new Lab(alice: Short, bob: t => t with { IkeLifetime = IkeLifetime.Defaults(TimeSpan.FromMinutes(30), TimeSpan.Zero) }).Establish();

        // Alice rekeys every 10 minutes, so the 11-minute hard lifetime of each SA is never reached.
        lab.Run(TimeSpan.FromMinutes(35));

        Assert.Equal(3, lab.Trace.Count(t => t.StartsWith("alice: CREATE_CHILD_SA request", StringComparison.Ordinal) && t.EndsWith("[ SA No KE ]", StringComparison.Ordinal)));
        LabAssertions.OneAgreedIkeSa(lab);
        Assert.DoesNotContain(lab.Alice.States, s => s.State == TunnelState.Down);
        lab.AssertNotLogged(l => l.Contains("lifetime reached", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(60)] // a later reauthentication does not extend it: over_time counts from the first of the two, as in strongSwan
    public void An_IKE_SA_that_is_not_rekeyed_is_deleted_at_its_hard_lifetime(int reauthMinutes)
    {
        // Alice's rekeys never reach bob (who does not rekey at all), so the SA reaches rekey_time + over_time.
        var lab = new Lab(
            alice: t => t with { IkeLifetime = IkeLifetime.Defaults(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(reauthMinutes), over: TimeSpan.FromMinutes(1), rand: TimeSpan.Zero) },
            bob: t => t with { IkeLifetime = new IkeLifetime(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero) },
            aliceOptions: Lab.SlowToReconnect).Establish();
        lab.Lose = (from, d) => from.Name == "alice" && OwnershipTests.IsExchange(d, ExchangeType.CREATE_CHILD_SA);

        lab.Run(TimeSpan.FromMinutes(12));

        lab.AssertLogged(l => l.StartsWith("alice", StringComparison.Ordinal) && l.Contains("IKE_SA net reached its hard lifetime (660s) without a rekey: deleting it", StringComparison.Ordinal));
        lab.Run(TimeSpan.FromMinutes(5));
        Assert.Empty(lab.Alice.Engine.GetStatus());
        lab.AssertLogged(l => l.Contains("retrying tunnel net in 01:00:00 (1 tries left): the IKE SA went down", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lost_rekey_response_is_answered_from_the_cache_and_one_new_IKE_SA_results()
    {
        var lost = 0;
        var lab = new Lab().Establish();
        lab.Lose = (from, d) => from.Name == "bob" && OwnershipTests.IsExchange(d, ExchangeType.CREATE_CHILD_SA) && lost++ == 0;

        Lab.Fire(lab.Alice, TimerKind.IkeRekey);
        lab.Run(TimeSpan.FromSeconds(10));

        Assert.Equal(
        [
            "alice: CREATE_CHILD_SA request 2 [ SA No KE ]",
            "bob: CREATE_CHILD_SA response 2 [ SA No KE ]", // lost
            "alice: CREATE_CHILD_SA request 2 [ SA No KE ] (retransmit 1)", // answered from bob's cache
            "alice: INFORMATIONAL request 3 [ D ]",
            "bob: INFORMATIONAL response 3 [ ]",
        ], lab.Trace.Skip(4));
        LabAssertions.OneAgreedIkeSa(lab);
    }

    /// <summary>
    /// Both sides rekey the IKE SA at once (§2.8.2): each answers the other's request, then the new
    /// SA created with the lowest of the four nonces is deleted by its creator and the old SA by the
    /// winner's creator. Whichever side wins, both end on the same one IKE SA with the Child SA.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Simultaneous_IKE_rekeys_end_with_one_IKE_SA_both_sides_agree_on(int attempt)
    {
        _ = attempt; // each run draws new nonces, so the winner varies
        var lab = new Lab().Establish();

        // CREATE_CHILD_SA { SA, Ni, KEi } -->   <-- CREATE_CHILD_SA { SA, Ni, KEi }
        Lab.Fire(lab.Alice, TimerKind.IkeRekey);
        Lab.Fire(lab.Bob, TimerKind.IkeRekey);
        lab.Run(TimeSpan.FromSeconds(2));

        Assert.Contains("alice: CREATE_CHILD_SA request 2 [ SA No KE ]", lab.Trace);
        Assert.Contains("bob: CREATE_CHILD_SA request 0 [ SA No KE ]", lab.Trace);
        LabAssertions.OneAgreedIkeSa(lab);
        lab.AssertLogged(l => l.Contains("rekey collision: both sides rekeyed it", StringComparison.Ordinal) && l.Contains(": deleting it", StringComparison.Ordinal));
        lab.AssertLogged(l => l.Contains("rekey collision: both sides rekeyed it", StringComparison.Ordinal) && l.Contains("the peer deletes it", StringComparison.Ordinal));

        // Two DELETEs of IKE SAs, one from each side: the redundant new SA's and the old one's.
        Assert.Equal(2, lab.Trace.Count(t => t.Contains("INFORMATIONAL request", StringComparison.Ordinal) && t.EndsWith("[ D ]", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Both rekey at once but alice's request is lost: bob's rekey completes without a collision on
    /// his side and he deletes the old SA; alice, whose own rekey is in flight, takes bob's new SA on
    /// that DELETE (§2.25.2) and forgets her own.
    /// </summary>
    [Fact]
    public void A_collision_whose_one_request_is_lost_ends_on_the_peers_new_IKE_SA()
    {
        var lab = new Lab().Establish();
        lab.Lose = (from, d) => from.Name == "alice" && OwnershipTests.IsExchange(d, ExchangeType.CREATE_CHILD_SA, response: false);

        Lab.Fire(lab.Alice, TimerKind.IkeRekey);
        Lab.Fire(lab.Bob, TimerKind.IkeRekey);
        lab.Run(TimeSpan.FromSeconds(2));
        lab.Lose = (_, _) => false;
        lab.Run(TimeSpan.FromSeconds(30));

        Assert.Equal(
        [
            "alice: CREATE_CHILD_SA request 2 [ SA No KE ]", // lost
            "bob: CREATE_CHILD_SA request 0 [ SA No KE ]",
            "alice: CREATE_CHILD_SA response 0 [ SA No KE ]",
            "bob: INFORMATIONAL request 1 [ D ]",
            "alice: INFORMATIONAL response 1 [ ]",
        ], lab.Trace.Skip(4).Take(5));
        var (_, bob) = LabAssertions.OneAgreedIkeSa(lab);
        Assert.True(bob.Initiator);
    }

    /// <summary>
    /// Both rekey at once and alice loses her first request and her answer to bob's: bob answers her
    /// retransmitted request while his own rekey waits for her cached answer, so alice holds both new
    /// SAs first and decides. Whoever wins, bob learns it from a DELETE: of the old SA (alice's new
    /// one won, bob's rekey in flight is dropped), or of alice's new SA, which waits on bob's side for
    /// his rekey to decide (bob's won; that DELETE is no tunnel going down).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void A_collision_the_peer_decides_first_after_losses_ends_on_one_IKE_SA(int attempt)
    {
        _ = attempt; // each run draws new nonces, so the winner varies
        var lab = new Lab().Establish();
        var (requests, responses) = (0, 0);
        lab.Lose = (from, d) => from.Name == "alice"
            && (OwnershipTests.IsExchange(d, ExchangeType.CREATE_CHILD_SA, response: false) && requests++ == 0
                || OwnershipTests.IsExchange(d, ExchangeType.CREATE_CHILD_SA, response: true) && responses++ == 0);

        // CREATE_CHILD_SA { SA, Ni, KEi } -X->   <-- CREATE_CHILD_SA { SA, Ni, KEi }
        //                 <-X- CREATE_CHILD_SA { SA, Nr, KEr }
        Lab.Fire(lab.Alice, TimerKind.IkeRekey);
        Lab.Fire(lab.Bob, TimerKind.IkeRekey);
        lab.Run(TimeSpan.FromMinutes(5)); // a redundant SA the peer dropped unseen is deleted after its grace, into the void

        Assert.Equal(2, requests);
        LabAssertions.OneAgreedIkeSa(lab);
        lab.AssertLogged(l => l.StartsWith("alice: ", StringComparison.Ordinal) && l.Contains("rekey collision: both sides rekeyed it", StringComparison.Ordinal));
        Assert.All(lab.Alice.States.Concat(lab.Bob.States), s => Assert.NotEqual(TunnelState.Down, s.State));
        Assert.Equal(1, lab.Alice.Installed.Count - lab.Alice.Removed.Count);
        Assert.Equal(1, lab.Bob.Installed.Count - lab.Bob.Removed.Count);
    }

    /// <summary>
    /// Alice rekeys the IKE SA while Bob rekeys the Child SA: each answers the other TEMPORARY_FAILURE
    /// (§2.25.2) and tries again a few seconds later, at random, so both rekeys get done.
    /// </summary>
    [Fact]
    public void An_IKE_rekey_crossing_a_Child_SA_rekey_is_postponed_and_both_get_done()
    {
        var lab = new Lab().Establish();

        Lab.Fire(lab.Alice, TimerKind.IkeRekey);
        lab.Bob.Engine.OnDatapathEvent(new ChildSaExpired(lab.Bob.Installed[0].InboundSpi, Hard: false));
        lab.Run(TimeSpan.FromSeconds(30));

        Assert.Equal(
        [
            "alice: CREATE_CHILD_SA request 2 [ SA No KE ]",
            "bob: CREATE_CHILD_SA request 0 [ N(REKEY_SA) SA No TSi TSr ]",
            "bob: CREATE_CHILD_SA response 2 [ N(TEMP_FAIL) ]",
            "alice: CREATE_CHILD_SA response 0 [ N(TEMP_FAIL) ]",
        ], lab.Trace.Skip(4).Take(4));
        lab.AssertLogged(l => l.Contains("IKE_SA net rekey: the peer answered TEMPORARY_FAILURE", StringComparison.Ordinal));
        lab.AssertLogged(l => l.Contains("CHILD_SA net rekey: the peer answered TEMPORARY_FAILURE", StringComparison.Ordinal));
        lab.AssertLogged(l => l.Contains("IKE_SA net rekeyed", StringComparison.Ordinal));
        lab.AssertLogged(l => l.Contains("CHILD_SA net rekeyed", StringComparison.Ordinal));
        LabAssertions.OneAgreedIkeSa(lab);
        var child = Assert.Single(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
        Assert.NotEqual($"{lab.Alice.Installed[0].InboundSpi:x8}", child.InboundSpi);
    }

    [Fact]
    public void A_Child_SA_rekey_queued_behind_the_IKE_rekey_moves_to_the_new_IKE_SA()
    {
        var lab = new Lab().Establish();

        Lab.Fire(lab.Alice, TimerKind.IkeRekey);
        lab.Alice.Engine.OnDatapathEvent(new ChildSaExpired(lab.Alice.Installed[0].InboundSpi, Hard: false));
        lab.Run(TimeSpan.FromSeconds(2));

        Assert.Equal(
        [
            "alice: CREATE_CHILD_SA request 2 [ SA No KE ]",
            "bob: CREATE_CHILD_SA response 2 [ SA No KE ]",
            "alice: CREATE_CHILD_SA request 0 [ N(REKEY_SA) SA No TSi TSr ]", // the Child SA rekey starts on the new IKE SA ...
            "alice: INFORMATIONAL request 3 [ D ]", // ... while the old one goes
            "bob: CREATE_CHILD_SA response 0 [ SA No TSi TSr ]",
            "bob: INFORMATIONAL response 3 [ ]",
            "alice: INFORMATIONAL request 1 [ D ]",
            "bob: INFORMATIONAL response 1 [ D ]",
        ], lab.Trace.Skip(4));
        LabAssertions.OneAgreedIkeSa(lab);
    }

    /// <summary>The peer closes the IKE SA while our rekey of it is in flight: its DELETE wins (§2.25.2), nothing is left behind.</summary>
    [Fact]
    public void The_peer_deleting_the_IKE_SA_during_our_rekey_closes_it_and_leaves_nothing()
    {
        var lab = new Lab(aliceOptions: Lab.SlowToReconnect).Establish();

        Lab.Fire(lab.Alice, TimerKind.IkeRekey);
        lab.Bob.Engine.Terminate("net");
        lab.Run(TimeSpan.FromSeconds(5));

        Assert.Equal(
        [
            "alice: CREATE_CHILD_SA request 2 [ SA No KE ]",
            "bob: INFORMATIONAL request 0 [ D ]",
            "bob: CREATE_CHILD_SA response 2 [ N(TEMP_FAIL) ]", // bob is closing it
            "alice: INFORMATIONAL response 0 [ ]",
        ], lab.Trace.Skip(4));
        Assert.Empty(lab.Alice.Engine.GetStatus());
        Assert.Empty(lab.Bob.Engine.GetStatus());
        Assert.Single(lab.Alice.Removed);
    }

    /// <summary>The rekey's KE is of the group the SA it replaces agreed on, not the first configured: no INVALID_KE_PAYLOAD round trip.</summary>
    [Fact]
    public void The_IKE_rekey_uses_the_group_the_replaced_SA_agreed_on()
    {
        var lab = new Lab(
            alice: t => t with { IkeProposals = ProposalSyntax.Parse("aes256-sha256-ecp256-modp2048", ProtocolId.IKE) },
            bob: t => t with { IkeProposals = ProposalSyntax.Parse("aes256-sha256-modp2048", ProtocolId.IKE) }).Establish();
        Assert.Contains("bob: IKE_SA_INIT response 0 [ N(INVAL_KE) ]", lab.Trace); // alice's first KE was ECP_256

        Lab.Fire(lab.Alice, TimerKind.IkeRekey);
        lab.Run(TimeSpan.FromSeconds(2));

        Assert.Equal(
        [
            "alice: CREATE_CHILD_SA request 2 [ SA No KE ]", // MODP_2048, the group of the SA it replaces
            "bob: CREATE_CHILD_SA response 2 [ SA No KE ]",
            "alice: INFORMATIONAL request 3 [ D ]",
            "bob: INFORMATIONAL response 3 [ ]",
        ], lab.Trace.Skip(6));
        var (alice, _) = LabAssertions.OneAgreedIkeSa(lab);
        Assert.Contains("MODP_2048", alice.Proposal, StringComparison.Ordinal);
    }

    [Fact]
    public void The_operator_rekeys_the_IKE_SA_and_a_Child_SA_on_demand()
    {
        var lab = new Lab();
        Assert.Contains("is not up", Assert.Throws<InvalidOperationException>(() => lab.Alice.Engine.Rekey("net", child: null, ike: true)).Message, StringComparison.Ordinal);
        lab.Establish();

        lab.Alice.Engine.Rekey("net", child: null, ike: true);
        lab.Run(TimeSpan.FromSeconds(1));
        lab.Alice.Engine.Rekey("net", child: "net", ike: false);
        lab.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(
        [
            "alice: CREATE_CHILD_SA request 2 [ SA No KE ]",
            "bob: CREATE_CHILD_SA response 2 [ SA No KE ]",
            "alice: INFORMATIONAL request 3 [ D ]",
            "bob: INFORMATIONAL response 3 [ ]",
            "alice: CREATE_CHILD_SA request 0 [ N(REKEY_SA) SA No TSi TSr ]",
            "bob: CREATE_CHILD_SA response 0 [ SA No TSi TSr ]",
            "alice: INFORMATIONAL request 1 [ D ]",
            "bob: INFORMATIONAL response 1 [ D ]",
        ], lab.Trace.Skip(4));
        LabAssertions.OneAgreedIkeSa(lab);
        Assert.Contains("has no child 'web'; its children: net", Assert.Throws<ArgumentException>(() => lab.Alice.Engine.Rekey("net", child: "web", ike: false)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => lab.Alice.Engine.Rekey("nope", child: null, ike: false));
    }

    [Fact]
    public void Status_says_when_the_IKE_SA_and_the_Child_SA_rekey_and_expire()
    {
        var lab = new Lab(alice: t => t with
        {
            IkeLifetime = IkeLifetime.Defaults(TimeSpan.FromHours(4), TimeSpan.Zero, rand: TimeSpan.Zero),
            Children = [t.Children[0] with { Lifetime = new ChildLifetime(TimeSpan.FromHours(1), TimeSpan.FromMinutes(66)) }],
        }).Establish();

        var sa = Assert.Single(lab.Alice.Engine.GetStatus());
        Assert.Equal(sa.EstablishedAt + TimeSpan.FromHours(4), sa.RekeyAt);
        Assert.Equal(sa.EstablishedAt + TimeSpan.FromMinutes(264), sa.ExpiresAt); // rekey_time + over_time (10 %)
        var child = Assert.Single(sa.Children);
        Assert.Equal(child.EstablishedAt + TimeSpan.FromHours(1), child.RekeyAt);
        Assert.Equal(child.EstablishedAt + TimeSpan.FromMinutes(66), child.ExpiresAt);
    }
}
