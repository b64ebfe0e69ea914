using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Sa;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tests;

/// <summary>
/// Rekeys of the IKE SA and the Child SA by either side, at any moments (so they cross, collide and
/// queue behind each other), with any few datagrams lost on the way. Once the dust settles: both
/// sides on one IKE SA, the same one, carrying one Child SA pair they agree on (SPIs and keys); no
/// moment without an installed pair; no pair removed twice; the tunnel never went down.
/// </summary>
public class RekeyInterleavingProperties
{
    /// <summary>One thing to do: who rekeys what, then how long the lab runs before the next step.</summary>
    public sealed record RekeyStep(bool ByAlice, bool Ike, int GapMilliseconds)
    {
        public override string ToString() => $"{(ByAlice ? "alice" : "bob")} rekeys {(Ike ? "IKE" : "Child")}, {GapMilliseconds} ms";
    }

    private static readonly Gen<RekeyStep> Steps =
        from byAlice in Gen.Elements(true, false)
        from ike in Gen.Elements(true, false)
        from gap in Gen.Elements(0, 0, 1, 5, 50, 500, 3000)
        select new RekeyStep(byAlice, ike, gap);

    [Property(MaxTest = 1000)]
    public Property Any_interleaving_of_rekeys_with_losses_settles_on_one_agreed_IKE_SA_and_Child_SA()
        => Prop.ForAll(
            Steps.ListOf().Where(s => s.Count is > 0 and <= 6).Zip(Gen.Choose(0, 24).ListOf().Where(l => l.Count <= 3)).ToArbitrary(),
            input => Check([.. input.Item1], input.Item2.ToHashSet()));

    private static void Check(IReadOnlyList<RekeyStep> steps, HashSet<int> lost)
    {
        static TunnelConfig Fast(TunnelConfig t) => t with { IkeProposals = ProposalSyntax.Parse("aes128gcm16-prfsha256-x25519", ProtocolId.IKE) };
        var lab = new Lab(alice: Fast, bob: Fast).Establish();
        var sent = 0;
        lab.Lose = (_, _) => lost.Contains(sent++);

        foreach (var step in steps)
        {
            var node = step.ByAlice ? lab.Alice : lab.Bob;
            if (node.Engine.GetStatus().Any(s => s.State == IkeSaState.Established))
            {
                node.Engine.Rekey("net", step.Ike ? null : "net", step.Ike);
            }

            lab.Run(TimeSpan.FromMilliseconds(step.GapMilliseconds));
        }

        lab.Lose = (_, _) => false;
        lab.Run(TimeSpan.FromMinutes(5));

        var context = $"steps: {string.Join("; ", steps)}; lost datagrams {string.Join(",", lost)}\n{string.Join("\n", lab.Log)}";
        var (aliceSas, bobSas) = (lab.Alice.Engine.GetStatus(), lab.Bob.Engine.GetStatus());
        Assert.True(aliceSas.Count == 1 && bobSas.Count == 1, $"{aliceSas.Count} and {bobSas.Count} IKE SAs\n{context}");
        var (alice, bob) = (aliceSas[0], bobSas[0]);
        Assert.True(alice.State == IkeSaState.Established && bob.State == IkeSaState.Established, context);
        Assert.True((alice.InitiatorSpi, alice.ResponderSpi) == (bob.InitiatorSpi, bob.ResponderSpi), $"IKE SAs differ\n{context}");
        Assert.True(alice.Children.Length == 1 && bob.Children.Length == 1, $"{alice.Children.Length} and {bob.Children.Length} Child SAs\n{context}");
        var (a, b) = (alice.Children[0], bob.Children[0]);
        Assert.True((a.InboundSpi, a.OutboundSpi) == (b.OutboundSpi, b.InboundSpi), $"Child SAs differ: {a.InboundSpi}/{a.OutboundSpi} vs {b.InboundSpi}/{b.OutboundSpi}\n{context}");
        var (ai, bi) = (lab.Alice.Installed.Single(i => $"{i.InboundSpi:x8}" == a.InboundSpi), lab.Bob.Installed.Single(i => $"{i.InboundSpi:x8}" == b.InboundSpi));
        Assert.True(ai.OutboundEncryptionKey.Span.SequenceEqual(bi.InboundEncryptionKey.Span) && ai.InboundEncryptionKey.Span.SequenceEqual(bi.OutboundEncryptionKey.Span), $"keys differ\n{context}");
        foreach (var node in new[] { lab.Alice, lab.Bob })
        {
            Assert.True(node.States.All(s => s.State != TunnelState.Down), $"{node.Name}'s tunnel went down\n{context}");
            Assert.True(node.Removed.Select(r => r.InboundSpi).Distinct().Count() == node.Removed.Count, $"{node.Name} removed a pair twice\n{context}");
            Assert.True(node.Installed.Count - node.Removed.Count == 1, $"{node.Name} holds {node.Installed.Count - node.Removed.Count} pairs\n{context}");
            LabAssertions.NeverWithoutAPair(node, context);
        }

        lab.AssertNotLogged(l => l.Contains("internal error", StringComparison.Ordinal));
    }
}
