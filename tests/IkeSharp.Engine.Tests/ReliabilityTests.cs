using IkeSharp.Engine.Configuration;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tests;

/// <summary>Lost datagrams, retransmission, cached responses, dead peers, deletes.</summary>
public class ReliabilityTests
{
    [Fact]
    public void Lost_request_is_retransmitted_after_the_timeout()
    {
        var lost = 0;
        var lab = new Lab { Lose = (from, d) => from.Name == "alice" && IsIkeAuth(d) && lost++ == 0 };
        lab.Establish(TimeSpan.FromSeconds(10));

        Assert.Equal(2, lab.Trace.Count(l => l.StartsWith("alice: IKE_AUTH request 1")));
        lab.AssertLogged(l => l.Contains("retransmit 1 of IKE_AUTH request 1"));
        EstablishmentTests.AssertUp(lab);
    }

    [Fact]
    public void Lost_response_is_answered_from_the_cache_not_processed_again()
    {
        var responses = new List<byte[]>();
        var lab = new Lab
        {
            Lose = (from, d) =>
            {
                if (from.Name == "bob" && IsIkeAuth(d))
                {
                    responses.Add(d.Datagram);
                    return responses.Count == 1;
                }

                return false;
            },
        };
        lab.Establish(TimeSpan.FromSeconds(10));

        Assert.Equal(2, responses.Count);
        Assert.Equal(responses[0], responses[1]); // the same octets: cached, not rebuilt
        Assert.Single(lab.Bob.Installed);
        Assert.Single(lab.Trace, l => l.StartsWith("bob: IKE_AUTH response"));
        EstablishmentTests.AssertUp(lab);
    }

    /// <summary>
    /// A request older than the last one answered (§2.2: only that response is kept) is dropped: a
    /// delayed or replayed message, or a MESSAGE_ID_SYNC (RFC 6311) with message ID 0 from a peer that
    /// never negotiated it (strongSwan's test_ike_mid_sync "disabled"), changes nothing.
    /// </summary>
    [Fact]
    public void A_request_older_than_the_last_one_answered_is_dropped_and_the_message_IDs_stay()
    {
        var lab = new Lab(alice: t => t with { DpdDelay = TimeSpan.Zero }).Establish();
        lab.Run(TimeSpan.FromMinutes(2)); // a few DPD requests of bob's
        var bobsRequests = lab.Bob.Sent.Where(d => OwnershipTests.IsExchange(d, ExchangeType.INFORMATIONAL, response: false)).ToList();
        Assert.True(bobsRequests.Count >= 2, string.Join("\n", lab.Trace));
        var sent = lab.Alice.Sent.Count;

        //                   <--  HDR(ID 0), SK { }    (bob's first request, once more)
        var old = bobsRequests[0];
        lab.Alice.Engine.Receive(old.Remote, old.Local, old.Datagram);
        lab.Pump();

        Assert.Equal(sent, lab.Alice.Sent.Count); // not answered, not even from a cache
        lab.Run(TimeSpan.FromMinutes(2));
        LabAssertions.OneAgreedIkeSa(lab);
        Assert.DoesNotContain(lab.Alice.States, s => s.State == TunnelState.Down);
        Assert.DoesNotContain(lab.Bob.States, s => s.State == TunnelState.Down);
        Assert.True(lab.Bob.Sent.Count(d => OwnershipTests.IsExchange(d, ExchangeType.INFORMATIONAL, response: false)) > bobsRequests.Count); // bob's next requests are answered
    }

    [Fact]
    public void Unanswered_IKE_SA_INIT_gives_up_after_strongSwans_schedule()
    {
        var lab = new Lab(alice: t => t with { KeyingTries = 1 });
        lab.Bob.Online = false;
        lab.Establish(TimeSpan.FromMinutes(5));

        // 4 s × 1.8^n for n = 0..5: sends at 0, 4, 11.2, 24.2, 47.5, 89.5 s; gives up at 165.06 s.
        Assert.Equal(6, lab.Trace.Count(l => l.StartsWith("alice: IKE_SA_INIT request 0")));
        lab.AssertLogged(l => l.Contains("peer 192.0.2.2:500 did not answer IKE_SA_INIT request 0") && l.Contains("after 6 transmissions over 165.1s"));
        Assert.Contains(lab.Alice.States, s => s.State == TunnelState.Down && s.Reason!.Contains("giving up after 1 attempts"));
    }

    [Fact]
    public void Dead_peer_is_detected_and_the_tunnel_restarts_when_it_returns()
    {
        var lab = new Lab(alice: t => t with { DpdDelay = TimeSpan.FromSeconds(10), DpdAction = DpdAction.Restart, KeyingTries = 0 }).Establish();
        EstablishmentTests.AssertUp(lab);

        lab.Bob.Online = false;
        lab.Run(TimeSpan.FromSeconds(200));

        // HDR, SK {} --> (liveness) unanswered: 10 s of silence, then 165 s of retransmissions.
        Assert.Contains(lab.Trace, l => l == "alice: INFORMATIONAL request 2 [ ]");
        lab.AssertLogged(l => l.Contains("dead peer detected") && l.Contains("restart"));
        Assert.Equal(lab.Alice.Installed.Select(i => i.InboundSpi), lab.Alice.Removed.Select(r => r.InboundSpi));

        lab.Bob.Online = true;
        lab.Run(TimeSpan.FromMinutes(6));

        var status = Assert.Single(lab.Alice.Engine.GetStatus());
        Assert.Equal(Sa.IkeSaState.Established, status.State);
        // INITIAL_CONTACT made bob drop the IKE SA alice had abandoned.
        Assert.Single(lab.Bob.Engine.GetStatus());
    }

    [Fact]
    public void Quiet_tunnel_is_probed_only_after_dpd_delay()
    {
        var lab = new Lab(alice: t => t with { DpdDelay = TimeSpan.FromSeconds(30) }).Establish();
        lab.Run(TimeSpan.FromSeconds(27)); // 29 s after IKE_AUTH
        Assert.DoesNotContain(lab.Trace, l => l.StartsWith("alice: INFORMATIONAL"));

        lab.Run(TimeSpan.FromSeconds(2));
        Assert.Contains("alice: INFORMATIONAL request 2 [ ]", lab.Trace);
        Assert.Contains("bob: INFORMATIONAL response 2 [ ]", lab.Trace);
        EstablishmentTests.AssertUp(lab);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("bob")]
    public void Either_side_deletes_the_tunnel(string closer)
    {
        var lab = new Lab().Establish();
        var node = closer == "alice" ? lab.Alice : lab.Bob;
        var other = lab.Peer(node);
        var id = closer == "alice" ? 2 : 0;

        node.Engine.Terminate("net");
        lab.Run(TimeSpan.FromSeconds(2));

        // HDR, SK { D(IKE) }  -->   <--  HDR, SK { }
        Assert.Contains($"{closer}: INFORMATIONAL request {id} [ D ]", lab.Trace);
        Assert.Contains($"{other.Name}: INFORMATIONAL response {id} [ ]", lab.Trace);
        Assert.Empty(lab.Alice.Engine.GetStatus());
        Assert.Empty(lab.Bob.Engine.GetStatus());
        Assert.Single(lab.Alice.Removed);
        Assert.Single(lab.Bob.Removed);
    }

    [Fact]
    public void Shutdown_sends_DELETE_and_removes_everything()
    {
        var lab = new Lab().Establish();

        var done = lab.Alice.Engine.Shutdown();
        lab.Run(TimeSpan.FromSeconds(1));

        Assert.True(done.IsCompletedSuccessfully);

        Assert.Contains("alice: INFORMATIONAL request 2 [ D ]", lab.Trace);
        Assert.Empty(lab.Alice.Engine.GetStatus());
        Assert.Empty(lab.Bob.Engine.GetStatus());
        Assert.Single(lab.Bob.Removed);
    }

    // alice: CREATE_CHILD_SA request 2 -->  (lost, or answered and the answer lost)
    // alice stops:  INFORMATIONAL request 2 [ D ] -->  INFORMATIONAL request 3 [ D ] -->
    //   bob acts on the one it expects: 2 where the request was lost, 3 where it was answered
    [Theory]
    [InlineData("request")]
    [InlineData("response")]
    public void Stopping_with_a_request_unanswered_sends_the_DELETE_under_its_message_ID_and_the_next(string lost)
    {
        var lab = new Lab().Establish();
        lab.Lose = (node, sent) => sent.Datagram[18] == (byte)ExchangeType.CREATE_CHILD_SA && node.Name == (lost == "request" ? "alice" : "bob");
        lab.Alice.Engine.Rekey("net", child: null, ike: false);
        lab.Run(TimeSpan.FromSeconds(1)); // before the first retransmission
        lab.Lose = (_, _) => false;

        var done = lab.Alice.Engine.Shutdown();
        lab.Run(TimeSpan.FromSeconds(1));

        Assert.True(done.IsCompletedSuccessfully);
        Assert.Equal(["alice: INFORMATIONAL request 2 [ D ]", "alice: INFORMATIONAL request 3 [ D ]"], lab.Trace.Where(t => t.StartsWith("alice: INFORMATIONAL", StringComparison.Ordinal)));
        Assert.Empty(lab.Bob.Engine.GetStatus());
    }

    [Fact]
    public void Garbage_and_unknown_SPIs_are_dropped_counted_and_never_answered()
    {
        var lab = new Lab().Establish();
        var local = new System.Net.IPEndPoint(lab.Bob.Address, 500);
        var remote = new System.Net.IPEndPoint(lab.Alice.Address, 500);

        var sent = lab.Bob.Sent.Count;
        lab.Bob.Engine.Receive(local, remote, new byte[] { 1, 2, 3 });
        lab.Bob.Engine.Receive(local, remote, new byte[40]);
        var unknown = new IkeMessage(IkeHeader.Create(0x1111, 0x2222, ExchangeType.INFORMATIONAL, IkeHeaderFlags.Initiator, 5), []).Encode();
        lab.Bob.Engine.Receive(local, remote, unknown);
        lab.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(sent, lab.Bob.Sent.Count);
        Assert.Equal(2, lab.Bob.Engine.Statistics.Undecodable);
        Assert.Equal(1, lab.Bob.Engine.Statistics.UnknownSpi);
        EstablishmentTests.AssertUp(lab);
    }

    private static bool IsIkeAuth(SendDatagram d)
    {
        var ike = d.Datagram.AsSpan(d.Local.Port == 4500 ? 4 : 0);
        return IkeHeader.TryRead(ike, out var h, out _) && h.ExchangeType == ExchangeType.IKE_AUTH;
    }
}
