namespace IkeSharp.Engine.Tests;

/// <summary>Datapath lifetime events (kernel EXPIRE) reaching the engine.</summary>
public class ChildLifetimeTests
{
    [Fact]
    public void Hard_expiry_deletes_the_Child_SA_with_the_peer_and_keeps_the_IKE_SA()
    {
        var lab = new Lab().Establish();
        var child = lab.Alice.Installed[0];

        lab.Apply(lab.Alice, lab.Alice.Engine.OnChildSaExpired(child.OutboundSpi, hard: true));
        lab.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(
        [
            // HDR, SK { D(ESP, SPIi) }  -->
            "alice: INFORMATIONAL request 2 [ D ]",
            //                  <--  HDR, SK { D(ESP, SPIr) }
            "bob: INFORMATIONAL response 2 [ D ]",
        ], lab.Trace.Skip(4));
        Assert.Equal(child.InboundSpi, Assert.Single(lab.Alice.Removed).InboundSpi);
        Assert.Equal(lab.Bob.Installed[0].InboundSpi, Assert.Single(lab.Bob.Removed).InboundSpi);
        Assert.Empty(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
        Assert.Empty(Assert.Single(lab.Bob.Engine.GetStatus()).Children);
        lab.AssertLogged(l => l.Contains("reached its hard lifetime: deleting it", StringComparison.Ordinal));
    }

    [Fact]
    public void Soft_expiry_is_logged_and_changes_nothing_yet()
    {
        var lab = new Lab().Establish();
        var child = lab.Alice.Installed[0];

        var effects = lab.Alice.Engine.OnChildSaExpired(child.InboundSpi, hard: false);

        Assert.Empty(effects);
        Assert.Single(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
        lab.AssertLogged(l => l.Contains($"({child.InboundSpi:x8}) reached its soft lifetime", StringComparison.Ordinal));
    }

    [Fact]
    public void Expiry_of_an_unknown_spi_is_ignored()
    {
        var lab = new Lab().Establish();

        Assert.Empty(lab.Alice.Engine.OnChildSaExpired(0x12345678, hard: true));
    }
}

/// <summary>A Child SA the datapath refuses is not left looking established.</summary>
public class ChildInstallFailureTests
{
    [Fact]
    public void A_child_the_datapath_refused_is_deleted_with_the_peer()
    {
        var lab = new Lab().Establish();
        var child = lab.Bob.Installed[0];

        lab.Apply(lab.Bob, lab.Bob.Engine.OnChildSaInstallFailed(child.InboundSpi, "installing the inbound ESP SA failed: ENOSYS (38)"));
        lab.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(["bob: INFORMATIONAL request 0 [ D ]", "alice: INFORMATIONAL response 0 [ D ]"], lab.Trace.Skip(4));
        Assert.Empty(Assert.Single(lab.Bob.Engine.GetStatus()).Children);
        Assert.Empty(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
        lab.AssertLogged(l => l.Contains("could not be installed in the datapath: installing the inbound ESP SA failed: ENOSYS (38); deleting it with the peer", StringComparison.Ordinal));
    }
}
