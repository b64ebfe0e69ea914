using IkeSharp.Engine.Configuration;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tests;

/// <summary>Child SA rekeying (RFC 7296 §1.3.3, §2.8): make-before-break, in both roles.</summary>
public class ChildRekeyTests
{
    [Fact]
    public void Soft_expiry_rekeys_the_Child_SA_before_the_old_pair_goes()
    {
        var lab = new Lab().Establish();
        var old = (Alice: lab.Alice.Installed[0], Bob: lab.Bob.Installed[0]);

        // Both directions report their soft limit; one rekey follows.
        lab.Alice.Engine.OnDatapathEvent(new ChildSaExpired(old.Alice.InboundSpi, Hard: false));
        lab.Alice.Engine.OnDatapathEvent(new ChildSaExpired(old.Alice.OutboundSpi, Hard: false));
        lab.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(
        [
            // HDR, SK { N(REKEY_SA), SA, Ni, TSi, TSr }  -->
            "alice: CREATE_CHILD_SA request 2 [ N(REKEY_SA) SA No TSi TSr ]",
            //                     <--  HDR, SK { SA, Nr, TSi, TSr }
            "bob: CREATE_CHILD_SA response 2 [ SA No TSi TSr ]",
            // HDR, SK { D(ESP, old SPIi) }  -->
            "alice: INFORMATIONAL request 3 [ D ]",
            //                     <--  HDR, SK { D(ESP, old SPIr) }
            "bob: INFORMATIONAL response 3 [ D ]",
        ], lab.Trace.Skip(4));

        foreach (var (node, oldPair) in new[] { (lab.Alice, old.Alice), (lab.Bob, old.Bob) })
        {
            var replacement = node.Installed[1];
            Assert.Equal(2, node.Installed.Count);
            Assert.Equal(oldPair.InboundSpi, Assert.Single(node.Removed).InboundSpi);
            Assert.Equal(0u, oldPair.ReqId); // the first pair's reqid came from the datapath (1) ...
            Assert.Equal(1u, replacement.ReqId); // ... and the rekey asks for the same one
            // The initiator sends on the new pair at once (bob holds its inbound SA since he answered);
            // bob goes on sending on the old one until alice deletes it, as she installs only on his answer.
            Assert.Equal(node == lab.Alice, replacement.SendsAtOnce);
            Assert.NotEqual(oldPair.InboundSpi, replacement.InboundSpi);
            Assert.Equal(string.Join(" ", oldPair.LocalTrafficSelectors), string.Join(" ", replacement.LocalTrafficSelectors));
            Assert.Equal(string.Join(" ", oldPair.RemoteTrafficSelectors), string.Join(" ", replacement.RemoteTrafficSelectors));
            Assert.False(oldPair.InboundEncryptionKey.Span.SequenceEqual(replacement.InboundEncryptionKey.Span), "new keys");

            // Make-before-break: the new pair is in the datapath before the old one leaves it.
            var installed = node.Effects.FindIndex(e => e is InstallChildSa i && i.Installation.InboundSpi == replacement.InboundSpi);
            var removed = node.Effects.FindIndex(e => e is RemoveChildSa r && r.InboundSpi == oldPair.InboundSpi);
            Assert.True(installed >= 0 && installed < removed, $"{node.Name} removed the old pair before installing the new one");

            var child = Assert.Single(Assert.Single(node.Engine.GetStatus()).Children);
            Assert.Equal($"{replacement.InboundSpi:x8}", child.InboundSpi);
            Assert.Equal(1u, child.ReqId); // the reqid of the pair it replaced
        }

        // Both sides agree on the new SPIs and keys.
        var (alice, bob) = (lab.Alice.Installed[1], lab.Bob.Installed[1]);
        Assert.Equal((alice.InboundSpi, alice.OutboundSpi), (bob.OutboundSpi, bob.InboundSpi));
        Assert.True(alice.OutboundEncryptionKey.Span.SequenceEqual(bob.InboundEncryptionKey.Span));
        Assert.True(alice.InboundEncryptionKey.Span.SequenceEqual(bob.OutboundEncryptionKey.Span));
        lab.AssertLogged(l => l.StartsWith("alice", StringComparison.Ordinal) && l.Contains($"CHILD_SA net rekeyed: SPIs {old.Alice.InboundSpi:x8}_i {old.Alice.OutboundSpi:x8}_o -> {alice.InboundSpi:x8}_i {alice.OutboundSpi:x8}_o", StringComparison.Ordinal));
        lab.AssertLogged(l => l.StartsWith("bob", StringComparison.Ordinal) && l.Contains($"CHILD_SA net rekeyed: SPIs {old.Bob.InboundSpi:x8}_i {old.Bob.OutboundSpi:x8}_o -> {bob.InboundSpi:x8}_i {bob.OutboundSpi:x8}_o", StringComparison.Ordinal));
    }

    [Fact]
    public void Rekey_with_PFS_carries_a_key_exchange_both_ways()
    {
        static TunnelConfig Pfs(TunnelConfig t) => t with { Children = [t.Children[0] with { EspProposals = ProposalSyntax.Parse("aes256gcm16-ecp256", ProtocolId.ESP) }] };
        var lab = new Lab(alice: Pfs, bob: Pfs).Establish();

        lab.Bob.Engine.OnDatapathEvent(new ChildSaExpired(lab.Bob.Installed[0].InboundSpi, Hard: false));
        lab.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(
        [
            // HDR, SK { N(REKEY_SA), SA, Ni, KEi, TSi, TSr }  -->      (bob rekeys: he is the initiator of this exchange)
            "bob: CREATE_CHILD_SA request 0 [ N(REKEY_SA) SA No KE TSi TSr ]",
            //                         <--  HDR, SK { SA, Nr, KEr, TSi, TSr }
            "alice: CREATE_CHILD_SA response 0 [ SA No KE TSi TSr ]",
            "bob: INFORMATIONAL request 1 [ D ]",
            "alice: INFORMATIONAL response 1 [ D ]",
        ], lab.Trace.Skip(4));
        AssertOneAgreedPair(lab);
    }

    [Fact]
    public void A_rekey_the_peer_refuses_leaves_the_old_pair_in_place()
    {
        var lab = new Lab().Establish();
        lab.Bob.RefuseInstall = _ => "installing the inbound ESP SA failed: ENOMEM (12)";

        lab.Alice.Engine.OnDatapathEvent(new ChildSaExpired(lab.Alice.Installed[0].InboundSpi, Hard: false));
        lab.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(
        [
            "alice: CREATE_CHILD_SA request 2 [ N(REKEY_SA) SA No TSi TSr ]",
            "bob: CREATE_CHILD_SA response 2 [ N(NO_PROP) ]",
        ], lab.Trace.Skip(4));
        Assert.Empty(lab.Alice.Removed);
        Assert.Empty(lab.Bob.Removed);
        Assert.Equal($"{lab.Alice.Installed[0].InboundSpi:x8}", Assert.Single(Assert.Single(lab.Alice.Engine.GetStatus()).Children).InboundSpi);
    }

    /// <summary>
    /// Both sides rekey the same pair at once (§2.8.1). Whoever's nonces win, each side ends with one
    /// pair, the same one, and the redundant pair is deleted by the side that created it.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Simultaneous_rekeys_of_one_pair_end_with_one_pair_both_sides_agree_on(int attempt)
    {
        _ = attempt; // each run draws new nonces, so the winner varies
        var lab = new Lab().Establish();

        // CREATE_CHILD_SA { N(REKEY_SA), SA, Ni, TSi, TSr } -->  <-- CREATE_CHILD_SA { N(REKEY_SA), SA, Ni, TSi, TSr }
        lab.Alice.Engine.OnDatapathEvent(new ChildSaExpired(lab.Alice.Installed[0].InboundSpi, Hard: false));
        lab.Bob.Engine.OnDatapathEvent(new ChildSaExpired(lab.Bob.Installed[0].InboundSpi, Hard: false));
        lab.Run(TimeSpan.FromSeconds(2));

        Assert.Contains("alice: CREATE_CHILD_SA request 2 [ N(REKEY_SA) SA No TSi TSr ]", lab.Trace);
        Assert.Contains("bob: CREATE_CHILD_SA request 0 [ N(REKEY_SA) SA No TSi TSr ]", lab.Trace);
        var alice = Assert.Single(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
        var bob = Assert.Single(Assert.Single(lab.Bob.Engine.GetStatus()).Children);
        Assert.Equal((alice.InboundSpi, alice.OutboundSpi), (bob.OutboundSpi, bob.InboundSpi));
        Assert.NotEqual($"{lab.Alice.Installed[0].InboundSpi:x8}", alice.InboundSpi);

        // Three pairs were installed on each side (the old one and one per exchange); two were removed, each once.
        foreach (var node in new[] { lab.Alice, lab.Bob })
        {
            Assert.Equal(3, node.Installed.Count);
            Assert.Equal(2, node.Removed.Select(r => r.InboundSpi).Distinct().Count());
            Assert.Equal(2, node.Removed.Count);
        }

        lab.AssertLogged(l => l.Contains("rekey collision: both sides rekeyed it", StringComparison.Ordinal) && l.Contains("deleting it", StringComparison.Ordinal));
        lab.AssertLogged(l => l.Contains("rekey collision: both sides rekeyed it", StringComparison.Ordinal) && l.Contains("the peer deletes it", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lost_rekey_response_is_answered_again_from_the_cache_and_one_pair_results()
    {
        var lost = 0;
        var lab = new Lab().Establish();
        lab.Lose = (from, d) => from.Name == "bob" && OwnershipTests.IsExchange(d, ExchangeType.CREATE_CHILD_SA) && lost++ == 0;

        lab.Alice.Engine.OnDatapathEvent(new ChildSaExpired(lab.Alice.Installed[0].InboundSpi, Hard: false));
        lab.Run(TimeSpan.FromSeconds(10));

        Assert.Equal(
        [
            "alice: CREATE_CHILD_SA request 2 [ N(REKEY_SA) SA No TSi TSr ]",
            "bob: CREATE_CHILD_SA response 2 [ SA No TSi TSr ]", // lost
            "alice: CREATE_CHILD_SA request 2 [ N(REKEY_SA) SA No TSi TSr ] (retransmit 1)", // bob resends his cached answer (§2.1), not logged as a new message
            "alice: INFORMATIONAL request 3 [ D ]",
            "bob: INFORMATIONAL response 3 [ D ]",
        ], lab.Trace.Skip(4));
        Assert.Equal(2, lab.Bob.Installed.Count); // no second pair for the retransmission
        Assert.Equal(2, lab.Bob.Sent.Count(d => OwnershipTests.IsExchange(d, ExchangeType.CREATE_CHILD_SA)));
        Assert.Single(Assert.Single(lab.Bob.Engine.GetStatus()).Children);
        Assert.Single(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
    }

    /// <summary>
    /// The peer deletes the pair our rekey is for, the two requests crossing: the peer answers the
    /// rekey TEMPORARY_FAILURE (§2.25: it is closing that pair), and a tunnel kept up creates the
    /// Child SA again once the retry finds the pair gone.
    /// </summary>
    [Fact]
    public void Peer_deletes_the_pair_while_our_rekey_of_it_is_in_flight()
    {
        var lab = new Lab().Establish();

        // CREATE_CHILD_SA { N(REKEY_SA), ... } -->  <-- INFORMATIONAL { D(ESP, SPI of the same pair) }
        lab.Alice.Engine.OnDatapathEvent(new ChildSaExpired(lab.Alice.Installed[0].InboundSpi, Hard: false));
        lab.Bob.Engine.OnDatapathEvent(new ChildSaExpired(lab.Bob.Installed[0].InboundSpi, Hard: true));
        lab.Run(TimeSpan.FromSeconds(10));

        Assert.Contains("bob: INFORMATIONAL request 0 [ D ]", lab.Trace);
        Assert.Contains("bob: CREATE_CHILD_SA response 2 [ N(TEMP_FAIL) ]", lab.Trace);
        Assert.Contains("alice: CREATE_CHILD_SA request 3 [ SA No TSi TSr ]", lab.Trace);
        var alice = Assert.Single(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
        var bob = Assert.Single(Assert.Single(lab.Bob.Engine.GetStatus()).Children);
        Assert.Equal((alice.InboundSpi, alice.OutboundSpi), (bob.OutboundSpi, bob.InboundSpi));
        Assert.Equal(lab.Alice.Installed[0].InboundSpi, Assert.Single(lab.Alice.Removed).InboundSpi);
        Assert.Equal(lab.Bob.Installed[0].InboundSpi, Assert.Single(lab.Bob.Removed).InboundSpi);
    }

    [Fact]
    public void INVALID_KE_PAYLOAD_makes_the_rekey_retry_with_the_group_the_peer_selected()
    {
        var lab = new Lab(
            alice: t => t with { Children = [t.Children[0] with { EspProposals = ProposalSyntax.Parse("aes256gcm16-ecp256-modp2048", ProtocolId.ESP) }] },
            bob: t => t with { Children = [t.Children[0] with { EspProposals = ProposalSyntax.Parse("aes256gcm16-modp2048", ProtocolId.ESP) }] }).Establish();

        lab.Alice.Engine.OnDatapathEvent(new ChildSaExpired(lab.Alice.Installed[0].InboundSpi, Hard: false));
        lab.Run(TimeSpan.FromSeconds(2));

        Assert.Equal(
        [
            // HDR, SK { N(REKEY_SA), SA, Ni, KEi(ECP_256), TSi, TSr }  -->
            "alice: CREATE_CHILD_SA request 2 [ N(REKEY_SA) SA No KE TSi TSr ]",
            //                                   <--  HDR, SK { N(INVALID_KE_PAYLOAD(MODP_2048)) }
            "bob: CREATE_CHILD_SA response 2 [ N(INVAL_KE) ]",
            // HDR, SK { N(REKEY_SA), SA, Ni, KEi(MODP_2048), TSi, TSr }  -->
            "alice: CREATE_CHILD_SA request 3 [ N(REKEY_SA) SA No KE TSi TSr ]",
            "bob: CREATE_CHILD_SA response 3 [ SA No KE TSi TSr ]",
            "alice: INFORMATIONAL request 4 [ D ]",
            "bob: INFORMATIONAL response 4 [ D ]",
        ], lab.Trace.Skip(4));
        AssertOneAgreedPair(lab);
        lab.AssertLogged(l => l.Contains("the peer wants MODP_2048 instead of ECP_256 for PFS (INVALID_KE_PAYLOAD): retrying with it", StringComparison.Ordinal));
    }

    /// <summary>After the rekey: one Child SA on each side, the same pair (SPIs and keys) as the datapaths hold it.</summary>
    private static void AssertOneAgreedPair(Lab lab)
    {
        var alice = Assert.Single(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
        var bob = Assert.Single(Assert.Single(lab.Bob.Engine.GetStatus()).Children);
        Assert.Equal((alice.InboundSpi, alice.OutboundSpi), (bob.OutboundSpi, bob.InboundSpi));
        var (a, b) = (lab.Alice.Installed.Single(i => $"{i.InboundSpi:x8}" == alice.InboundSpi), lab.Bob.Installed.Single(i => $"{i.InboundSpi:x8}" == bob.InboundSpi));
        Assert.True(a.OutboundEncryptionKey.Span.SequenceEqual(b.InboundEncryptionKey.Span) && a.InboundEncryptionKey.Span.SequenceEqual(b.OutboundEncryptionKey.Span), "both sides hold the same keys");
    }
}
