using IkeSharp.Engine.Sa;

namespace IkeSharp.Engine.Tests;

/// <summary>What every lifecycle test checks once the dust settles.</summary>
internal static class LabAssertions
{
    /// <summary>One established IKE SA on each side with the same SPIs, carrying the one Child SA both sides agree on.</summary>
    public static (IkeSaStatus Alice, IkeSaStatus Bob) OneAgreedIkeSa(Lab lab)
    {
        var alice = Assert.Single(lab.Alice.Engine.GetStatus());
        var bob = Assert.Single(lab.Bob.Engine.GetStatus());
        Assert.Equal(IkeSaState.Established, alice.State);
        Assert.Equal(IkeSaState.Established, bob.State);
        Assert.Equal((alice.InitiatorSpi, alice.ResponderSpi), (bob.InitiatorSpi, bob.ResponderSpi));
        Assert.NotEqual(alice.Initiator, bob.Initiator);
        var (a, b) = (Assert.Single(alice.Children), Assert.Single(bob.Children));
        Assert.Equal((a.InboundSpi, a.OutboundSpi), (b.OutboundSpi, b.InboundSpi));
        return (alice, bob);
    }

    /// <summary>Replays the node's datapath calls in order: from the first install on, some pair is always installed.</summary>
    public static void NeverWithoutAPair(Node node, string context = "")
    {
        var live = new HashSet<uint>();
        foreach (var effect in node.Effects)
        {
            switch (effect)
            {
                case InstallChildSa install when node.Installed.Contains(install.Installation):
                    live.Add(install.Installation.InboundSpi);
                    break;
                case RemoveChildSa remove:
                    live.Remove(remove.InboundSpi);
                    Assert.True(live.Count > 0, $"{node.Name} had no pair installed after removing {remove.InboundSpi:x8}\n{context}");
                    break;
            }
        }
    }
}
