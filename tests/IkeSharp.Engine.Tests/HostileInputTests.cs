using System.Net;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tests;

/// <summary>Requests no honest peer sends: dropped and counted, the SA untouched, the process alive.</summary>
public class HostileInputTests
{
    [Fact]
    public void IKE_SA_INIT_aimed_at_an_established_SA_is_dropped_not_processed()
    {
        var lab = new Lab().Establish();
        var bob = Assert.Single(lab.Bob.Engine.GetStatus());
        var spiI = Convert.ToUInt64(bob.InitiatorSpi, 16);
        var spiR = Convert.ToUInt64(bob.ResponderSpi, 16);
        var local = new IPEndPoint(lab.Bob.Address, 500);
        var remote = new IPEndPoint(lab.Alice.Address, 500);

        // HDR(SPIi, SPIr, MID 1), no SA  -->  (would crash a responder task)
        var empty = new IkeMessage(IkeHeader.Create(spiI, spiR, ExchangeType.IKE_SA_INIT, IkeHeaderFlags.Initiator, 1), [new NoncePayload(new byte[32])]).Encode();
        // HDR(SPIi, SPIr, MID 1), SA, KE, Ni  -->  (would re-key the SA with the sender's DH)
        var rekey = new IkeMessage(IkeHeader.Create(spiI, spiR, ExchangeType.IKE_SA_INIT, IkeHeaderFlags.Initiator, 1),
        [
            new SecurityAssociationPayload([lab.Bob.Engine.Options.Tunnels[0].IkeProposals[0].ToProposal(1, default)]),
            new KeyExchangePayload(KeyExchangeMethod.MODP_2048, new byte[256]),
            new NoncePayload(new byte[32]),
        ]).Encode();

        var sent = lab.Bob.Sent.Count;
        lab.Bob.Engine.Receive(local, remote, empty);
        lab.Bob.Engine.Receive(local, remote, rekey);
        lab.Pump();

        Assert.Equal(sent, lab.Bob.Sent.Count);
        Assert.Equal(2, lab.Bob.Engine.Statistics.UnexpectedMessages);
        var after = Assert.Single(lab.Bob.Engine.GetStatus());
        Assert.Equal(bob.Proposal, after.Proposal);
        lab.Run(TimeSpan.FromSeconds(40)); // DPD still works with the original keys
        EstablishmentTests.AssertUp(lab);
    }

    [Fact]
    public void Half_open_entries_are_released_when_the_initiator_floats_to_4500()
    {
        var lab = new Lab(bob: t => t with { RemoteAddresses = [] }) { AliceBehindNat = true }.Establish();

        EstablishmentTests.AssertUp(lab);
        Assert.Equal(0, lab.Bob.Engine.HalfOpenCount);
    }
}
