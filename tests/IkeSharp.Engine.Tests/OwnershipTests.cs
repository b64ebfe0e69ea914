using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Sa;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tests;

/// <summary>
/// Inputs that race on one tunnel, fired in every order before its owner runs: whatever the order,
/// one IKE SA per tunnel, the right messages on the wire, and each Child SA installed and removed once.
/// </summary>
public class OwnershipTests
{
    public static TheoryData<int[]> ThreeWayOrders => [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

    [Theory]
    [MemberData(nameof(ThreeWayOrders))]
    public void ACQUIRE_up_and_the_start_action_together_make_one_IKE_SA(int[] order)
    {
        var lab = new Lab();
        Action[] inputs =
        [
            lab.Alice.Engine.Start,
            () => lab.Alice.Engine.OnDatapathEvent(new TrafficAcquired("net", "10.1.0.5 === 10.2.0.7")),
            () => lab.Alice.Engine.Initiate("net"),
        ];
        foreach (var i in order)
        {
            inputs[i]();
        }

        lab.Run(TimeSpan.FromSeconds(5));

        // HDR, SAi1, KEi, Ni  -->  exactly once: one IKE SA, one INITIAL_CONTACT
        Assert.Single(lab.Trace, l => l.StartsWith("alice: IKE_SA_INIT request", StringComparison.Ordinal));
        Assert.Single(lab.Trace, l => l.StartsWith("alice: IKE_AUTH request", StringComparison.Ordinal));
        EstablishmentTests.AssertUp(lab);
        Assert.Single(lab.Alice.Installed);
        Assert.Single(lab.Bob.Installed);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Peer_DELETE_racing_our_DPD_ends_both_SAs_once(bool dpdFirst)
    {
        var lab = new Lab(alice: t => t with { DpdDelay = TimeSpan.FromSeconds(10) }, aliceOptions: Lab.SlowToReconnect).Establish();
        lab.Run(TimeSpan.FromSeconds(9)); // alice's DPD is due next

        if (dpdFirst)
        {
            lab.Expire(lab.Alice, TimerKind.Dpd);
            lab.Bob.Engine.Terminate("net");
        }
        else
        {
            lab.Bob.Engine.Terminate("net");
            lab.Expire(lab.Alice, TimerKind.Dpd);
        }

        lab.Run(TimeSpan.FromSeconds(30));

        // bob:   HDR, SK { D(IKE) }  -->       alice:  HDR, SK { }  -->  (liveness)
        Assert.Contains("bob: INFORMATIONAL request 0 [ D ]", lab.Trace);
        Assert.Contains("alice: INFORMATIONAL request 2 [ ]", lab.Trace);
        Assert.Contains("alice: INFORMATIONAL response 0 [ ]", lab.Trace);
        Assert.Empty(lab.Alice.Engine.GetStatus());
        Assert.Empty(lab.Bob.Engine.GetStatus());
        AssertInstalledAndRemovedOnce(lab.Alice);
        AssertInstalledAndRemovedOnce(lab.Bob);
        lab.AssertNotLogged(l => l.Contains("internal error", StringComparison.Ordinal));
        lab.AssertNotLogged(l => l.Contains("dead peer detected", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_reload_during_IKE_AUTH_restarts_the_tunnel_as_configured_with_one_IKE_SA_left(bool authAnsweredFirst)
    {
        var bobProposals = ProposalSyntax.Parse("aes256-sha256-modp2048, aes128gcm16-prfsha256-x25519", ProtocolId.IKE);
        var lab = new Lab(bob: t => t with { IkeProposals = bobProposals })
        {
            Hold = (from, d) => from.Name == "bob" && IsExchange(d, ExchangeType.IKE_AUTH),
        };
        lab.Alice.Engine.Start();
        lab.Run(TimeSpan.FromSeconds(1)); // IKE_AUTH answered by bob, the answer not delivered yet
        var changed = Lab.DefaultTunnel(initiator: true) with { IkeProposals = ProposalSyntax.Parse("aes128gcm16-prfsha256-x25519", ProtocolId.IKE) };

        if (authAnsweredFirst)
        {
            lab.Release();
            lab.Run(TimeSpan.Zero);
            lab.Alice.Engine.Reconfigure(new EngineOptions { Tunnels = [changed] });
        }
        else
        {
            lab.Alice.Engine.Reconfigure(new EngineOptions { Tunnels = [changed] });
            lab.Pump();
            lab.Release(); // the answer arrives for an SA alice already dropped
        }

        lab.Run(TimeSpan.FromSeconds(10));

        EstablishmentTests.AssertUp(lab);
        Assert.StartsWith("IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519", Assert.Single(lab.Alice.Engine.GetStatus()).Proposal);
        Assert.StartsWith("IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519", Assert.Single(lab.Bob.Engine.GetStatus()).Proposal);
        Assert.Equal(2, lab.Trace.Count(l => l.StartsWith("alice: IKE_SA_INIT request", StringComparison.Ordinal))); // the first attempt, the restart
        Assert.Equal(lab.Alice.Installed.Count - 1, lab.Alice.Removed.Count);
        Assert.Equal(lab.Bob.Installed.Count - 1, lab.Bob.Removed.Count);
    }

    [Fact]
    public void An_IKE_SA_INIT_retransmitted_while_the_first_is_computed_gets_the_same_answer_from_one_SA()
    {
        var lab = new Lab { Hold = (from, d) => from.Name == "alice" && IsExchange(d, ExchangeType.IKE_SA_INIT) };
        lab.Alice.Engine.Start();
        lab.Pump();
        var request = Assert.Single(lab.Alice.Sent);

        // The request and its retransmission reach bob before his owner has computed anything (DH).
        lab.Bob.Engine.Receive(request.Remote, request.Local, request.Datagram);
        lab.Bob.Engine.Receive(request.Remote, request.Local, request.Datagram);
        Assert.Equal(1, lab.Bob.Engine.HalfOpenCount);
        lab.Pump();

        var answers = lab.Bob.Sent.Where(d => IsExchange(d, ExchangeType.IKE_SA_INIT)).ToList();
        Assert.Equal(2, answers.Count);
        Assert.Equal(answers[0].Datagram, answers[1].Datagram); // one computation, sent twice
        Assert.Single(lab.Bob.Engine.GetStatus());
        lab.Release();
        lab.Run(TimeSpan.FromSeconds(2));
        EstablishmentTests.AssertUp(lab);
    }

    [Fact]
    public void An_IKE_SA_INIT_retransmission_that_arrives_after_IKE_AUTH_makes_no_new_SA()
    {
        // pluto retransmitted IKE_SA_INIT after 0.5, 1 and 2 s while a slow responder computed its answer.
        var lab = new Lab().Establish();
        var request = lab.Alice.Sent.First(d => IsExchange(d, ExchangeType.IKE_SA_INIT));
        var sent = lab.Bob.Sent.Count;

        lab.Bob.Engine.Receive(request.Remote, request.Local, request.Datagram);
        lab.Run(TimeSpan.FromSeconds(1));

        Assert.Single(lab.Bob.Engine.GetStatus());
        Assert.Equal(0, lab.Bob.Engine.HalfOpenCount);
        Assert.Equal(sent, lab.Bob.Sent.Count); // message 0 of an SA that moved on: dropped and counted
        Assert.Equal(1, lab.Bob.Engine.Statistics.UnexpectedMessages);
    }

    [Fact]
    public void Inputs_queued_for_an_SA_that_died_are_dropped_not_run_on_its_disposed_keys()
    {
        var lab = new Lab(aliceOptions: Lab.SlowToReconnect).Establish();
        var sa = Assert.Single(lab.Alice.Engine.GetStatus());
        var dpd = lab.Alice.Timers.Single(t => t.Key.Kind == TimerKind.Dpd);

        // A DELETE from bob and a DPD expiry queue up behind each other; the DELETE ends the SA first.
        lab.Bob.Engine.Terminate("net");
        lab.Pump();
        var delete = lab.Bob.Sent[^1];
        lab.Alice.Engine.Receive(delete.Remote, delete.Local, delete.Datagram);
        lab.Alice.Engine.OnTimer(dpd.Key, dpd.Value.Generation);
        lab.Alice.Engine.Receive(delete.Remote, delete.Local, delete.Datagram);
        lab.Run(TimeSpan.FromSeconds(5));

        Assert.Empty(lab.Alice.Engine.GetStatus());
        Assert.DoesNotContain(lab.Trace, l => l.StartsWith("alice: INFORMATIONAL request", StringComparison.Ordinal));
        Assert.Equal(sa.Children[0].InboundSpi, $"{Assert.Single(lab.Alice.Removed).InboundSpi:x8}");
        lab.AssertNotLogged(l => l.Contains("internal error", StringComparison.Ordinal));
    }

    [Fact]
    public void A_stale_timer_expiry_after_a_rearm_is_ignored()
    {
        var lab = new Lab();
        lab.Hold = (from, d) => from.Name == "alice" && IsExchange(d, ExchangeType.IKE_AUTH);
        lab.Alice.Engine.Start();
        lab.Run(TimeSpan.FromSeconds(1)); // bob is half-open, waiting for IKE_AUTH
        var timeout = lab.Bob.Timers.Single(t => t.Key.Kind == TimerKind.HalfOpenTimeout);

        lab.Bob.Engine.OnTimer(timeout.Key, timeout.Value.Generation - 1); // an expiry of an earlier arming
        lab.Pump();

        Assert.Equal(IkeSaState.Connecting, Assert.Single(lab.Bob.Engine.GetStatus()).State);
        lab.Release();
        lab.Run(TimeSpan.FromSeconds(2));
        EstablishmentTests.AssertUp(lab);
    }

    internal static void AssertInstalledAndRemovedOnce(Node node)
        => Assert.Equal(node.Installed.Select(i => i.InboundSpi).Order(), node.Removed.Select(r => r.InboundSpi).Order());

    internal static bool IsExchange(SendDatagram d, ExchangeType exchange, bool? response = null)
    {
        var ike = d.Datagram.AsSpan(d.Local.Port == 4500 ? 4 : 0);
        return IkeHeader.TryRead(ike, out var h, out _) && h.ExchangeType == exchange && (response is null || h.IsResponse == response);
    }
}
