using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Engine.Sa;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tests;

/// <summary>
/// Reauthentication (RFC 7296 §2.8.3): after reauth_time a new IKE SA, with fresh IKE_SA_INIT and
/// IKE_AUTH, replaces the old one with its Child SAs. Make-before-break keeps a pair installed all
/// along; break-before-make deletes first. Either side may do it; the other sees a second IKE SA of
/// the same peer and the old one's DELETE, which is no tunnel going down.
/// </summary>
public class ReauthenticationTests
{
    private static readonly IkeLifetime ReauthHourly = IkeLifetime.Defaults(TimeSpan.Zero, TimeSpan.FromHours(1), rand: TimeSpan.Zero);

    // Without DPD, so the traces hold only what reauthentication sends.
    private static TunnelConfig Reauthenticating(TunnelConfig t) => t with { IkeLifetime = ReauthHourly, DpdDelay = TimeSpan.Zero };

    private static TunnelConfig Quiet(TunnelConfig t) => t with { DpdDelay = TimeSpan.Zero };

    [Fact]
    public void Make_before_break_brings_up_the_new_IKE_SA_and_its_Child_SA_before_deleting_the_old_one()
    {
        var lab = new Lab(alice: Reauthenticating, bob: Quiet).Establish();
        var old = Assert.Single(lab.Alice.Engine.GetStatus());

        lab.Run(TimeSpan.FromMinutes(61));

        Assert.Equal(
        [
            // HDR, SAi1, KEi, Ni  -->                       (a new IKE SA, beside the old one)
            "alice: IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            "bob: IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            // HDR, SK { IDi, [IDr,] AUTH, SAi2, TSi, TSr }  -->   (no INITIAL_CONTACT: the old SA is still up, §2.4)
            "alice: IKE_AUTH request 1 [ IDi IDr AUTH SA TSi TSr ]",
            "bob: IKE_AUTH response 1 [ IDr AUTH SA TSi TSr ]",
            // HDR, SK { D(IKE) }  -->                       (on the old IKE SA)
            "alice: INFORMATIONAL request 2 [ D ]",
            "bob: INFORMATIONAL response 2 [ ]",
        ], lab.Trace.Skip(4));

        var (alice, bob) = LabAssertions.OneAgreedIkeSa(lab);
        Assert.NotEqual(old.InitiatorSpi, alice.InitiatorSpi);
        foreach (var node in new[] { lab.Alice, lab.Bob })
        {
            Assert.Equal(2, node.Installed.Count);
            Assert.Equal(node.Installed[0].InboundSpi, Assert.Single(node.Removed).InboundSpi);
            Assert.Equal(node.Installed[0].ReqId == 0 ? 1u : node.Installed[0].ReqId, node.Installed[1].ReqId); // same policies, new SAs
            LabAssertions.NeverWithoutAPair(node);
            Assert.DoesNotContain(node.States, s => s.State == TunnelState.Down);
        }

        lab.AssertLogged(l => l.StartsWith("alice: IKE_SA net reauthenticated: SPIs", StringComparison.Ordinal));
        lab.AssertLogged(l => l.StartsWith("bob: IKE_SA net ended (deleted by peer); the tunnel goes on", StringComparison.Ordinal));
        Assert.True(alice.Initiator && !bob.Initiator);
    }

    [Fact]
    public void The_original_responder_reauthenticates_and_becomes_the_initiator_of_the_new_IKE_SA()
    {
        // Bob only answers (no remote_addrs): he reauthenticates to where alice is.
        var lab = new Lab(bob: Reauthenticating).Establish();

        lab.Run(TimeSpan.FromMinutes(61));

        Assert.Contains("bob: IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]", lab.Trace);
        Assert.Contains("bob: IKE_AUTH request 1 [ IDi IDr AUTH SA TSi TSr ]", lab.Trace);
        var (alice, bob) = LabAssertions.OneAgreedIkeSa(lab);
        Assert.True(bob.Initiator && !alice.Initiator);
        foreach (var node in new[] { lab.Alice, lab.Bob })
        {
            LabAssertions.NeverWithoutAPair(node);
            Assert.DoesNotContain(node.States, s => s.State == TunnelState.Down);
        }

        // Alice, who keeps the tunnel up, sees the old SA's DELETE as no tunnel going down: no IKE SA of her own follows.
        Assert.Equal(1, lab.Trace.Count(t => t.StartsWith("alice: IKE_SA_INIT request", StringComparison.Ordinal)));
        Assert.DoesNotContain(lab.Log, l => l.StartsWith("alice: ", StringComparison.Ordinal) && l.Contains("reconnect", StringComparison.OrdinalIgnoreCase));
        lab.AssertLogged(l => l.StartsWith("alice: IKE_SA net ended (deleted by peer); the tunnel goes on", StringComparison.Ordinal));
    }

    [Fact]
    public void Break_before_make_deletes_the_old_IKE_SA_first_then_initiates_with_INITIAL_CONTACT()
    {
        var lab = new Lab(alice: t => Reauthenticating(t) with { MakeBeforeBreak = false }, bob: Quiet).Establish();

        lab.Run(TimeSpan.FromMinutes(61));

        Assert.Equal(
        [
            // HDR, SK { D(IKE) }  -->
            "alice: INFORMATIONAL request 2 [ D ]",
            "bob: INFORMATIONAL response 2 [ ]",
            // HDR, SAi1, KEi, Ni  -->   at once, not after the reconnect delay
            "alice: IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            "bob: IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            "alice: IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]",
            "bob: IKE_AUTH response 1 [ IDr AUTH SA TSi TSr ]",
        ], lab.Trace.Skip(4));
        LabAssertions.OneAgreedIkeSa(lab);
        Assert.Equal([TunnelState.Connecting, TunnelState.Up, TunnelState.Down, TunnelState.Connecting, TunnelState.Up], lab.Alice.States.Select(s => s.State));
    }

    [Fact]
    public void Down_during_a_break_before_make_reauthentication_keeps_the_tunnel_down()
    {
        var lab = new Lab(alice: t => Reauthenticating(t) with { MakeBeforeBreak = false }, bob: Quiet).Establish();
        lab.Hold = (from, _) => from == lab.Bob; // bob's answer to the DELETE waits

        lab.Run(TimeSpan.FromMinutes(60) + TimeSpan.FromSeconds(1));
        lab.Alice.Engine.Terminate("net");
        lab.Hold = (_, _) => false;
        lab.Release();
        lab.Run(TimeSpan.FromMinutes(5));

        Assert.Empty(lab.Alice.Engine.GetStatus());
        Assert.Equal(1, lab.Trace.Count(t => t.StartsWith("alice: IKE_SA_INIT request", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_reauthentication_deadline_survives_IKE_rekeys()
    {
        var lifetime = IkeLifetime.Defaults(TimeSpan.FromMinutes(20), TimeSpan.FromHours(1), rand: TimeSpan.Zero);
        var lab = new Lab(alice: t => t with { IkeLifetime = lifetime }).Establish();
        var first = Assert.Single(lab.Alice.Engine.GetStatus());

        lab.Run(TimeSpan.FromMinutes(50));
        Assert.Equal(2, lab.Log.Count(l => l.StartsWith("alice: IKE_SA net rekeyed", StringComparison.Ordinal))); // at 20 and 40 minutes
        var status = Assert.Single(lab.Alice.Engine.GetStatus());
        Assert.Equal(first.EstablishedAt + TimeSpan.FromHours(1), status.ReauthAt); // an hour after the first IKE_AUTH, not after the rekeys

        lab.Run(TimeSpan.FromMinutes(11));
        Assert.Equal(2, lab.Trace.Count(t => t.StartsWith("alice: IKE_SA_INIT request", StringComparison.Ordinal)));
        LabAssertions.OneAgreedIkeSa(lab);
    }

    [Fact]
    public void A_failed_reauthentication_leaves_the_old_IKE_SA_up_and_is_tried_again()
    {
        var lab = new Lab(alice: Reauthenticating).Establish();
        lab.Lose = (from, d) => from == lab.Alice && OwnershipTests.IsExchange(d, Protocol.ExchangeType.IKE_SA_INIT, response: false);

        lab.Run(TimeSpan.FromMinutes(63)); // the new SA's IKE_SA_INIT is retransmitted, then given up
        var old = Assert.Single(lab.Alice.Engine.GetStatus());
        Assert.Equal(IkeSaState.Established, old.State);
        lab.AssertLogged(l => l.StartsWith("alice: IKE_SA net reauthentication failed", StringComparison.Ordinal));
        Assert.DoesNotContain(lab.Alice.States, s => s.State == TunnelState.Down);

        lab.Lose = (_, _) => false;
        lab.Run(TimeSpan.FromMinutes(1));
        var (alice, _) = LabAssertions.OneAgreedIkeSa(lab);
        Assert.NotEqual(old.InitiatorSpi, alice.InitiatorSpi);
    }

    [Fact]
    public void With_close_action_none_a_Child_SA_the_peer_deletes_stays_gone()
    {
        var lab = new Lab(alice: t => t with { CloseAction = CloseAction.None }).Establish();

        lab.Bob.Engine.OnDatapathEvent(new ChildSaExpired(lab.Bob.Installed[0].InboundSpi, Hard: true));
        lab.Run(TimeSpan.FromSeconds(10));

        Assert.Empty(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
        Assert.DoesNotContain(lab.Trace, t => t.Contains("CREATE_CHILD_SA", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(CloseAction.None)]
    [InlineData(CloseAction.Trap)]
    public void After_the_peer_deletes_the_IKE_SA_close_action_decides_whether_it_comes_back(CloseAction close)
    {
        var lab = new Lab(alice: t => t with { CloseAction = close }).Establish();

        lab.Bob.Engine.Terminate("net");
        lab.Run(TimeSpan.FromMinutes(10));

        Assert.Empty(lab.Alice.Engine.GetStatus());
        Assert.Equal(1, lab.Trace.Count(t => t.StartsWith("alice: IKE_SA_INIT request", StringComparison.Ordinal)));
        Assert.Equal(close == CloseAction.Trap ? 1 : 0, lab.Alice.Traps.Count);
    }

    [Fact]
    public void With_close_action_trap_a_Child_SA_the_peer_deletes_is_trapped_and_comes_back_with_traffic()
    {
        var lab = new Lab(alice: t => t with { CloseAction = CloseAction.Trap }).Establish();

        // <--  HDR, SK { D(ESP, SPI) }
        lab.Bob.Engine.OnDatapathEvent(new ChildSaExpired(lab.Bob.Installed[0].InboundSpi, Hard: true));
        lab.Run(TimeSpan.FromSeconds(10));
        Assert.Single(lab.Alice.Traps);
        Assert.DoesNotContain(lab.Trace, t => t.Contains("CREATE_CHILD_SA", StringComparison.Ordinal));

        // HDR, SK { SA, Ni, TSi, TSr }  -->   on the IKE SA that stayed up, for the trapped packet
        lab.Alice.Engine.OnDatapathEvent(new TrafficAcquired("net", "10.1.0.5 === 10.2.0.7"));
        lab.Run(TimeSpan.FromSeconds(2));
        Assert.Contains("alice: CREATE_CHILD_SA request 2 [ SA No TSi TSr ]", lab.Trace);
        Assert.Single(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
        Assert.Equal(1, lab.Trace.Count(t => t.StartsWith("alice: IKE_SA_INIT request", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_trap_tunnel_whose_Child_SA_went_away_brings_it_back_on_the_next_packet()
    {
        var lab = new Lab(alice: t => t with { StartAction = StartAction.Trap });
        lab.Alice.Engine.Start();
        lab.Pump();
        lab.Alice.Engine.OnDatapathEvent(new TrafficAcquired("net", "10.1.0.5 === 10.2.0.7"));
        lab.Run(TimeSpan.FromSeconds(2));
        lab.Bob.Engine.OnDatapathEvent(new ChildSaExpired(lab.Bob.Installed[0].InboundSpi, Hard: true));
        lab.Run(TimeSpan.FromSeconds(2));
        Assert.True(Assert.Single(lab.Alice.Engine.GetStatus()).Children.IsEmpty, string.Join("\n", lab.Log)); // close_action follows start_action: trap

        lab.Alice.Engine.OnDatapathEvent(new TrafficAcquired("net", "10.1.0.5 === 10.2.0.7"));
        lab.Run(TimeSpan.FromSeconds(2));

        Assert.Single(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
        Assert.Single(lab.Alice.Traps); // the traps stayed all along
    }

    [Fact]
    public void A_responder_tunnel_with_several_peers_reauthenticates_each_of_their_IKE_SAs()
    {
        // Bob answers anyone (no remote_addrs, remote_id %any); alice comes as two peers, one tunnel each.
        static TunnelConfig AliceAs(int n) => Lab.DefaultTunnel(initiator: true) with
        {
            Name = $"net{n}",
            LocalIdentity = Identity.Parse($"alice{n}.lab.example"),
            DpdDelay = TimeSpan.Zero,
            Children = [new ChildConfig($"net{n}", [TrafficSelectorNarrowing.FromPrefix($"10.1.{n}.0/24")], [TrafficSelectorNarrowing.FromPrefix("10.2.0.0/24")], ProposalSyntax.Parse("aes256gcm16", ProtocolId.ESP))],
        };
        var lab = new Lab(
            bob: t => Reauthenticating(t) with
            {
                RemoteAddresses = [],
                RemoteIdentity = null,
                Children = [new ChildConfig("net", [TrafficSelectorNarrowing.FromPrefix("10.2.0.0/24")], [TrafficSelectorNarrowing.FromPrefix("10.1.0.0/16")], ProposalSyntax.Parse("aes256gcm16", ProtocolId.ESP))],
            },
            aliceOptions: o => o with { Tunnels = [AliceAs(1), AliceAs(2)] }).Establish();
        var before = lab.Bob.Engine.GetStatus();
        Assert.Equal(2, before.Count);

        lab.Run(TimeSpan.FromMinutes(61)); // both SAs fall due at once

        // HDR, SK { IDi, IDr, AUTH, SAi2, TSi, TSr }  -->   IDr: the identity each peer proved before, so each lands in its own tunnel
        Assert.Equal(2, lab.Trace.Count(t => t == "bob: IKE_AUTH request 1 [ IDi IDr AUTH SA TSi TSr ]"));
        var after = lab.Bob.Engine.GetStatus();
        Assert.Equal(2, after.Count);
        Assert.All(after, sa => Assert.True(sa.Initiator && sa.State == IkeSaState.Established && sa.Children.Length == 1));
        Assert.Empty(after.Select(sa => sa.InitiatorSpi).Intersect(before.Select(sa => sa.InitiatorSpi)));
        Assert.Equal(["alice1.lab.example", "alice2.lab.example"], after.Select(sa => sa.RemoteIdentity).Order());
        foreach (var tunnel in new[] { "net1", "net2" })
        {
            var sa = Assert.Single(lab.Alice.Engine.GetStatus(), s => s.Tunnel == tunnel);
            Assert.Contains(after, b => b.InitiatorSpi == sa.InitiatorSpi);
        }

        Assert.DoesNotContain(lab.Alice.States, s => s.State == TunnelState.Down);
        Assert.DoesNotContain(lab.Bob.States, s => s.State == TunnelState.Down);
    }

    [Fact]
    public void A_reauthentication_that_fails_after_an_IKE_rekey_is_tried_again_on_the_rekeyed_SA()
    {
        var lab = new Lab(alice: Reauthenticating, bob: Quiet).Establish();
        lab.Lose = (from, d) => from == lab.Alice && OwnershipTests.IsExchange(d, ExchangeType.IKE_SA_INIT, response: false);

        lab.Run(TimeSpan.FromMinutes(60) + TimeSpan.FromSeconds(5)); // the new SA's IKE_SA_INIT is on its way, unanswered
        lab.Bob.Engine.Rekey("net", child: null, ike: true); // meanwhile bob rekeys the old SA
        lab.Run(TimeSpan.FromMinutes(3)); // the reauthentication gives up
        lab.AssertLogged(l => l.StartsWith("alice: IKE_SA net reauthentication failed", StringComparison.Ordinal));
        var rekeyed = Assert.Single(lab.Alice.Engine.GetStatus());

        lab.Lose = (_, _) => false;
        lab.Run(TimeSpan.FromMinutes(1)); // 30 s later, on the SA the rekey made

        var (alice, _) = LabAssertions.OneAgreedIkeSa(lab);
        Assert.NotEqual(rekeyed.InitiatorSpi, alice.InitiatorSpi);
        Assert.DoesNotContain(lab.Alice.States, s => s.State == TunnelState.Down);
    }

    [Fact]
    public void A_reauthentication_without_every_Child_SA_leaves_the_old_IKE_SA_carrying_them_and_is_tried_again()
    {
        var lab = new Lab(alice: Reauthenticating, bob: Quiet).Establish();
        lab.Bob.RefuseInstall = _ => "no room"; // bob cannot install the new SA's Child SA: IKE_AUTH answers without it

        lab.Run(TimeSpan.FromMinutes(60) + TimeSpan.FromSeconds(5));

        var old = Assert.Single(lab.Alice.Engine.GetStatus());
        Assert.Equal(IkeSaState.Established, old.State);
        Assert.Single(old.Children);
        lab.AssertLogged(l => l.StartsWith("alice: IKE_SA net reauthentication failed", StringComparison.Ordinal) && l.Contains("CHILD_SA net not created", StringComparison.Ordinal));
        LabAssertions.NeverWithoutAPair(lab.Alice);

        lab.Bob.RefuseInstall = _ => null;
        lab.Run(TimeSpan.FromMinutes(1));
        var (alice, _) = LabAssertions.OneAgreedIkeSa(lab);
        Assert.NotEqual(old.InitiatorSpi, alice.InitiatorSpi);
        Assert.DoesNotContain(lab.Alice.States, s => s.State == TunnelState.Down);
    }

    [Fact]
    public void The_peer_deleting_the_old_IKE_SA_while_our_reauthentication_authenticates_is_no_tunnel_going_down()
    {
        // close_action = none: a peer's DELETE taken for the tunnel going down would keep it down.
        var lab = new Lab(alice: t => Reauthenticating(t) with { CloseAction = CloseAction.None }, bob: Quiet).Establish();
        lab.Hold = (from, d) => from == lab.Alice && OwnershipTests.IsExchange(d, ExchangeType.IKE_AUTH, response: false);

        lab.Run(TimeSpan.FromMinutes(60) + TimeSpan.FromSeconds(1));
        //                    <--  HDR, SK { D }   (on the old IKE SA, while our IKE_AUTH is on its way)
        lab.Bob.Engine.Terminate("net");
        lab.Run(TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(lab.Alice.States, s => s.State == TunnelState.Down);
        lab.Release();
        lab.Run(TimeSpan.FromSeconds(5));

        LabAssertions.OneAgreedIkeSa(lab);
        Assert.DoesNotContain(lab.Alice.States, s => s.State == TunnelState.Down);
        lab.AssertLogged(l => l.StartsWith("alice: IKE_SA net ended (deleted by peer); the tunnel goes on", StringComparison.Ordinal) && l.Contains("still authenticating", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("bob")]
    public void A_lost_IKE_AUTH_message_of_the_reauthentication_is_retransmitted(string loser)
    {
        var lab = new Lab(alice: Reauthenticating, bob: Quiet).Establish();
        var lost = 0;
        lab.Lose = (from, d) => from.Name == loser && OwnershipTests.IsExchange(d, ExchangeType.IKE_AUTH, response: loser == "bob") && lost++ == 0;

        lab.Run(TimeSpan.FromMinutes(61));

        Assert.True(lost >= 2, $"the lost IKE_AUTH {(loser == "bob" ? "response" : "request")} was sent again ({lost} sent)");
        LabAssertions.OneAgreedIkeSa(lab);
        foreach (var node in new[] { lab.Alice, lab.Bob })
        {
            LabAssertions.NeverWithoutAPair(node);
            Assert.DoesNotContain(node.States, s => s.State == TunnelState.Down);
        }
    }

    [Fact]
    public void Break_before_make_by_a_tunnel_that_only_answers_initiates_to_where_the_peer_was_and_retries()
    {
        // Alice lets the tunnel go when the peer deletes it (close_action = none); bob tries three times.
        var lab = new Lab(alice: t => Quiet(t) with { CloseAction = CloseAction.None }, bob: t => Reauthenticating(t) with { MakeBeforeBreak = false, RemoteAddresses = [], KeyingTries = 3 }).Establish();
        lab.Lose = (from, d) => from == lab.Bob && OwnershipTests.IsExchange(d, ExchangeType.IKE_SA_INIT, response: false);

        lab.Run(TimeSpan.FromMinutes(63)); // bob deletes the old SA, initiates, and his first attempt gets no answer
        lab.AssertLogged(l => l.StartsWith("bob: retrying tunnel net", StringComparison.Ordinal) && l.Contains("attempt failed", StringComparison.Ordinal));

        lab.Lose = (_, _) => false;
        lab.Run(TimeSpan.FromMinutes(5));
        var (alice, bob) = LabAssertions.OneAgreedIkeSa(lab);
        Assert.True(bob.Initiator);
    }

    [Fact]
    public void A_reload_right_after_a_reauthentication_restarts_the_tunnel_once_the_replaced_SA_is_gone_too()
    {
        var lab = new Lab(alice: Reauthenticating, bob: Quiet).Establish();
        var held = 0;
        lab.Hold = (from, d) => from == lab.Bob && OwnershipTests.IsExchange(d, ExchangeType.INFORMATIONAL, response: true) && held++ == 0;
        lab.Run(TimeSpan.FromMinutes(60) + TimeSpan.FromSeconds(2)); // reauthenticated; the answer to the old SA's DELETE held back
        Assert.Equal(2, lab.Alice.Engine.GetStatus().Count);

        lab.Alice.Engine.Reconfigure(new EngineOptions { Tunnels = [Reauthenticating(Lab.DefaultTunnel(initiator: true)) with { IkeLifetime = IkeLifetime.Defaults(TimeSpan.Zero, TimeSpan.FromHours(2), rand: TimeSpan.Zero) }] });
        lab.Run(TimeSpan.FromSeconds(2)); // the new SA's DELETE is answered first
        lab.Release(); // then the replaced one's
        lab.Run(TimeSpan.FromSeconds(5));

        LabAssertions.OneAgreedIkeSa(lab);
        Assert.Equal(3, lab.Trace.Count(t => t.StartsWith("alice: IKE_SA_INIT request", StringComparison.Ordinal)));
    }

    [Theory] // nonces are random: run a few times, so that either side's new SA is the redundant one
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    [InlineData(1, true)] // with every side's first DELETE lost on the way (the old SA's, or the redundant twin's)
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public void Both_sides_reauthenticating_at_once_end_with_one_IKE_SA(int run, bool loseFirstDelete)
    {
        //  HDR, SAi1, KEi, Ni  -->   <--  HDR, SAi1, KEi, Ni     (each side a new IKE SA beside the old one)
        _ = run;
        var lab = new Lab(alice: Reauthenticating, bob: t => Reauthenticating(t) with { RemoteAddresses = [] }).Establish();
        var lostDeletes = new HashSet<string>();
        if (loseFirstDelete)
        {
            lab.Lose = (from, d) => OwnershipTests.IsExchange(d, ExchangeType.INFORMATIONAL, response: false) && lostDeletes.Add(from.Name);
        }

        lab.Run(TimeSpan.FromMinutes(59));
        Lab.Fire(lab.Alice, TimerKind.IkeReauth);
        Lab.Fire(lab.Bob, TimerKind.IkeReauth);
        lab.Run(TimeSpan.FromMinutes(2));

        // Two new IKE SAs, one made by each side: the one with the lowest nonce goes, deleted by its maker.
        LabAssertions.OneAgreedIkeSa(lab);
        Assert.Equal(loseFirstDelete ? 2 : 0, lostDeletes.Count);
        lab.AssertLogged(l => l.Contains("reauthentication collision", StringComparison.Ordinal));
        foreach (var node in new[] { lab.Alice, lab.Bob })
        {
            LabAssertions.NeverWithoutAPair(node);
            Assert.DoesNotContain(node.States, s => s.State == TunnelState.Down);
        }
    }

    [Fact]
    public void While_the_peer_reauthenticates_break_before_make_the_policies_are_held_so_nothing_leaves_in_the_clear()
    {
        var lab = new Lab(alice: Quiet, bob: t => Reauthenticating(t) with { MakeBeforeBreak = false, RemoteAddresses = [] }).Establish();

        lab.Run(TimeSpan.FromMinutes(61));

        LabAssertions.OneAgreedIkeSa(lab);
        var effects = lab.Alice.Effects;
        var held = Assert.Single(lab.Alice.Held);
        var first = lab.Alice.Installed[0];
        Assert.Equal(("net", first.LocalTrafficSelectors, first.RemoteTrafficSelectors), (Assert.Single(held.Children).Name, held.Children[0].LocalTrafficSelectors, held.Children[0].RemoteTrafficSelectors)); // what the pair had
        var hold = effects.IndexOf(held);
        var removed = effects.FindIndex(e => e is RemoveChildSa);
        var reinstalled = effects.FindIndex(e => e is InstallChildSa i && i.Installation == lab.Alice.Installed[1]);
        var released = effects.FindIndex(e => e is RemoveTrapPolicies);
        Assert.True(hold < removed && removed < reinstalled && reinstalled < released, $"hold {hold}, old pair removed {removed}, new pair {reinstalled}, hold released {released}");
        Assert.Empty(lab.Alice.Traps);
    }

    [Fact]
    public void A_tunnel_the_peer_closed_keeps_its_policies_held_without_initiating_until_the_operator_closes_it()
    {
        var lab = new Lab(alice: t => Quiet(t) with { CloseAction = CloseAction.None }).Establish();

        lab.Bob.Engine.Terminate("net");
        lab.Run(TimeSpan.FromSeconds(5));
        Assert.Single(lab.Alice.Held);
        lab.Alice.Engine.OnDatapathEvent(new TrafficAcquired("net", "10.1.0.5 === 10.2.0.7")); // a packet hits the held policies
        lab.Run(TimeSpan.FromMinutes(5));
        Assert.Empty(lab.Alice.Engine.GetStatus());
        Assert.Equal(1, lab.Trace.Count(t => t.StartsWith("alice: IKE_SA_INIT request", StringComparison.Ordinal)));
        Assert.DoesNotContain(lab.Alice.Effects, e => e is RemoveTrapPolicies);

        lab.Alice.Engine.Terminate("net");
        lab.Pump();
        Assert.IsType<RemoveTrapPolicies>(lab.Alice.Effects[^1]);
    }

    [Fact]
    public void Closing_a_tunnel_ourselves_holds_nothing_and_the_peer_holds_its_policies()
    {
        var lab = new Lab(alice: Quiet).Establish();

        lab.Alice.Engine.Terminate("net");
        lab.Run(TimeSpan.FromSeconds(5));

        Assert.Empty(lab.Alice.Held);
        Assert.Single(lab.Bob.Held); // the peer's end: bob's traffic for alice waits, it does not leave in the clear
    }

    [Fact]
    public void A_second_tunnel_to_the_same_peer_sends_no_INITIAL_CONTACT_that_would_end_the_first()
    {
        // Alice has two tunnels with the same identities; bob answers both in one tunnel.
        static TunnelConfig Subnet(int n, StartAction start) => Lab.DefaultTunnel(initiator: true) with
        {
            Name = $"net{n}",
            StartAction = start,
            DpdDelay = TimeSpan.Zero,
            Children = [new ChildConfig($"net{n}", [TrafficSelectorNarrowing.FromPrefix($"10.1.{n}.0/24")], [TrafficSelectorNarrowing.FromPrefix("10.2.0.0/24")], ProposalSyntax.Parse("aes256gcm16", ProtocolId.ESP))],
        };
        var lab = new Lab(
            bob: t => Quiet(t) with { Children = [new ChildConfig("net", [TrafficSelectorNarrowing.FromPrefix("10.2.0.0/24")], [TrafficSelectorNarrowing.FromPrefix("10.1.0.0/16")], ProposalSyntax.Parse("aes256gcm16", ProtocolId.ESP))] },
            aliceOptions: o => o with { Tunnels = [Subnet(1, StartAction.Start), Subnet(2, StartAction.None)] }).Establish();

        lab.Alice.Engine.Initiate("net2");
        lab.Run(TimeSpan.FromSeconds(5));

        // HDR, SK { IDi, IDr, AUTH, SAi2, TSi, TSr }  -->   (no N(INITIAL_CONTACT): the peer holds net1's IKE SA with us)
        Assert.Equal(["alice: IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]", "alice: IKE_AUTH request 1 [ IDi IDr AUTH SA TSi TSr ]"],
            lab.Trace.Where(t => t.StartsWith("alice: IKE_AUTH", StringComparison.Ordinal)));
        Assert.Equal(2, lab.Bob.Engine.GetStatus().Count);
        Assert.Equal(["net1", "net2"], lab.Alice.Engine.GetStatus().Select(s => s.Tunnel).Order());
    }
}
