using IkeSharp.Engine.Configuration;

namespace IkeSharp.Engine.Tests;

/// <summary>Datapath lifetime events (kernel EXPIRE) reaching the engine.</summary>
public class ChildLifetimeTests
{
    [Fact]
    public void Hard_expiry_deletes_the_Child_SA_with_the_peer_keeps_the_IKE_SA_and_a_tunnel_kept_up_creates_it_again()
    {
        var lab = new Lab().Establish();
        var child = lab.Alice.Installed[0];

        lab.Alice.Engine.OnDatapathEvent(new ChildSaExpired(child.OutboundSpi, Hard: true));
        lab.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(
        [
            // HDR, SK { D(ESP, SPIi) }  -->
            "alice: INFORMATIONAL request 2 [ D ]",
            //                  <--  HDR, SK { D(ESP, SPIr) }
            "bob: INFORMATIONAL response 2 [ D ]",
            // HDR, SK { SA, Ni, TSi, TSr }  -->     (start_action = start: the tunnel is to stay up)
            "alice: CREATE_CHILD_SA request 3 [ SA No TSi TSr ]",
            "bob: CREATE_CHILD_SA response 3 [ SA No TSi TSr ]",
        ], lab.Trace.Skip(4));
        Assert.Equal(child.InboundSpi, Assert.Single(lab.Alice.Removed).InboundSpi);
        Assert.Equal(lab.Bob.Installed[0].InboundSpi, Assert.Single(lab.Bob.Removed).InboundSpi);
        var (alice, bob) = (Assert.Single(Assert.Single(lab.Alice.Engine.GetStatus()).Children), Assert.Single(Assert.Single(lab.Bob.Engine.GetStatus()).Children));
        Assert.NotEqual($"{child.InboundSpi:x8}", alice.InboundSpi);
        Assert.Equal((alice.InboundSpi, alice.OutboundSpi), (bob.OutboundSpi, bob.InboundSpi));
        lab.AssertLogged(l => l.Contains("reached its hard lifetime: deleting it", StringComparison.Ordinal));
    }

    /// <summary>RFC 4303 §3.3.3: without ESN the sequence counter must not cycle, so a packet limit rekeys every SA in time.</summary>
    [Theory]
    [InlineData(0UL, 0UL, ChildLifetime.SequenceRekeyPackets, 0xFFFF_FFFFUL)]
    [InlineData(1_000_000UL, 2_000_000UL, 1_000_000UL, 2_000_000UL)] // configured limits below the counter's are kept
    [InlineData(0x1_0000_0000UL, 0x2_0000_0000UL, ChildLifetime.SequenceRekeyPackets, 0xFFFF_FFFFUL)]
    [InlineData(0UL, 1_000_000UL, 0UL, 1_000_000UL)] // life_packets alone ends the SA first: no soft limit above it
    [InlineData(0UL, 0x1_0000_0000UL, ChildLifetime.SequenceRekeyPackets, 0xFFFF_FFFFUL)]
    public void Without_ESN_the_datapath_gets_packet_limits_before_the_sequence_counter_runs_out(ulong rekeyPackets, ulong lifePackets, ulong soft, ulong hard)
    {
        var lab = new Lab(
            alice: t => t with { Children = [t.Children[0] with { Lifetime = t.Children[0].Lifetime with { RekeyPackets = rekeyPackets, LifePackets = lifePackets } }] }).Establish();

        var installed = lab.Alice.Installed[0];
        Assert.False(installed.Suite.ExtendedSequenceNumbers);
        Assert.Equal((soft, hard), (installed.Lifetime.RekeyPackets, installed.Lifetime.LifePackets));
        Assert.Equal((ChildLifetime.SequenceRekeyPackets, 0xFFFF_FFFFUL), (lab.Bob.Installed[0].Lifetime.RekeyPackets, lab.Bob.Installed[0].Lifetime.LifePackets));

        // The soft limit the datapath then reports rekeys the pair like any other.
        lab.Alice.Engine.OnDatapathEvent(new ChildSaExpired(installed.OutboundSpi, Hard: false));
        lab.Run(TimeSpan.FromSeconds(1));
        Assert.Contains("alice: CREATE_CHILD_SA request 2 [ N(REKEY_SA) SA No TSi TSr ]", lab.Trace);
    }

    [Fact]
    public void Expiry_of_an_unknown_spi_is_ignored()
    {
        var lab = new Lab().Establish();

        var before = lab.Alice.Effects.Count;
        lab.Alice.Engine.OnDatapathEvent(new ChildSaExpired(0x12345678, Hard: true));
        lab.Run(TimeSpan.FromSeconds(1));

        Assert.Equal(before, lab.Alice.Effects.Count);
    }
}

/// <summary>A Child SA the datapath refuses is not left looking established; one it holds is announced only once it does.</summary>
public class ChildInstallTests
{
    private const string Enosys = "installing the inbound ESP SA failed: ENOSYS (38)";

    [Fact]
    public void The_responder_answers_only_once_the_datapath_holds_the_Child_SA()
    {
        var lab = new Lab().Establish();

        var install = lab.Bob.Effects.FindIndex(e => e is InstallChildSa);
        var response = lab.Bob.Effects.FindIndex(e => e is SendDatagram s && IsIkeAuth(s));
        Assert.True(install >= 0 && install < response, "bob answered IKE_AUTH before his datapath held the Child SA");
        var aliceInstall = lab.Alice.Effects.FindIndex(e => e is InstallChildSa);
        var aliceUp = lab.Alice.Effects.FindIndex(e => e is TunnelStateChanged { State: TunnelState.Up });
        Assert.True(aliceInstall >= 0 && aliceInstall < aliceUp, "alice reported the tunnel up before her datapath held the Child SA");
        Assert.Equal(1u, Assert.Single(Assert.Single(lab.Bob.Engine.GetStatus()).Children).ReqId); // the reqid the datapath gave
    }

    [Fact]
    public void A_child_the_responders_datapath_refused_is_answered_NO_PROPOSAL_CHOSEN()
    {
        var lab = new Lab();
        lab.Bob.RefuseInstall = _ => Enosys;
        lab.Establish();

        Assert.Equal(
        [
            "alice: IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]",
            // HDR, SK { IDr, AUTH, N(NO_PROPOSAL_CHOSEN) }: the IKE SA stands, the Child SA does not (§1.2)
            "bob: IKE_AUTH response 1 [ IDr AUTH N(NO_PROP) ]",
        ], lab.Trace.Skip(2));
        Assert.Empty(Assert.Single(lab.Bob.Engine.GetStatus()).Children);
        Assert.Empty(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
        Assert.Empty(lab.Alice.Installed);
        Assert.Empty(lab.Bob.Removed); // it never was in the datapath
        lab.AssertLogged(l => l.Contains($"could not be installed in the datapath: {Enosys}; answering the peer with NO_PROPOSAL_CHOSEN", StringComparison.Ordinal));
        lab.AssertLogged(l => l.StartsWith("alice: ", StringComparison.Ordinal) && l.Contains("peer answered NO_PROPOSAL_CHOSEN", StringComparison.Ordinal));
    }

    [Fact]
    public void A_child_the_initiators_datapath_refused_is_deleted_with_the_peer()
    {
        var lab = new Lab();
        lab.Alice.RefuseInstall = _ => Enosys;
        lab.Establish();

        Assert.Equal(
        [
            // HDR, SK { D(ESP, SPIi) }  -->   <--  HDR, SK { D(ESP, SPIr) }
            "alice: INFORMATIONAL request 2 [ D ]",
            "bob: INFORMATIONAL response 2 [ D ]",
        ], lab.Trace.Skip(4));
        Assert.Empty(Assert.Single(lab.Alice.Engine.GetStatus()).Children);
        Assert.Empty(Assert.Single(lab.Bob.Engine.GetStatus()).Children);
        Assert.Equal(lab.Bob.Installed[0].InboundSpi, Assert.Single(lab.Bob.Removed).InboundSpi);
        Assert.Empty(lab.Alice.Removed);
        lab.AssertLogged(l => l.Contains($"could not be installed in the datapath: {Enosys}; deleting it with the peer", StringComparison.Ordinal));
    }

    private static bool IsIkeAuth(SendDatagram d)
    {
        var ike = d.Datagram.AsSpan(d.Local.Port == 4500 ? 4 : 0);
        return Protocol.IkeHeader.TryRead(ike, out var h, out _) && h.ExchangeType == Protocol.ExchangeType.IKE_AUTH;
    }
}
