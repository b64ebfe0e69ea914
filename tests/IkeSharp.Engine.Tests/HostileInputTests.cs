using System.Net;
using IkeSharp.Engine.Tasks;
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

    // IKE_SA established;  alice's keys: IKE_AUTH request 2 { IDi, AUTH } -->  dropped, counted, unanswered
    [Fact]
    public void A_second_IKE_AUTH_on_an_established_SA_is_dropped()
    {
        var lab = new Lab().Establish();
        var (alice, bob) = Sas(lab);
        var before = bob.Status;

        var request = new MessageBuilder(ExchangeType.IKE_AUTH, isResponse: false, bob.Tasks.ExpectedRequestId);
        request.Add(new IdentificationPayload(PayloadType.IDi, Identity.Parse("mallory.lab.example")));
        request.Add(new AuthenticationPayload(AuthenticationMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE, new byte[32]));
        var sent = lab.Bob.Sent.Count;
        lab.Bob.Engine.Receive(bob.Local, alice.Local, alice.Encode(request));
        lab.Pump();

        Assert.Equal(sent, lab.Bob.Sent.Count);
        Assert.Equal(1, lab.Bob.Engine.Statistics.UnexpectedMessages);
        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains("IKE_AUTH does not belong to an IKE SA in state Established"));
        Assert.Equal(before.RemoteIdentity, Assert.Single(lab.Bob.Engine.GetStatus()).RemoteIdentity);
        EstablishmentTests.AssertUp(lab);
    }

    // IKE_SA_INIT done, alice's IKE_AUTH held back;  INFORMATIONAL request 1 { } -->  dropped: the SA is not authenticated
    [Fact]
    public void A_request_before_IKE_AUTH_is_dropped_and_IKE_AUTH_still_completes()
    {
        var lab = new Lab { Hold = (node, sent) => node.Name == "alice" && sent.Datagram.Length > 100 && sent.Datagram[18] == (byte)ExchangeType.IKE_AUTH };
        lab.Alice.Engine.Start();
        lab.Run(TimeSpan.FromSeconds(1));
        var (alice, bob) = Sas(lab);
        Assert.True(bob.IsHalfOpen);

        var sent = lab.Bob.Sent.Count;
        lab.Bob.Engine.Receive(bob.Local, alice.Local, alice.Encode(new MessageBuilder(ExchangeType.INFORMATIONAL, isResponse: false, 1)));
        lab.Pump();

        Assert.Equal(sent, lab.Bob.Sent.Count);
        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains("INFORMATIONAL before IKE_AUTH completed"));
        lab.Release();
        lab.Run(TimeSpan.FromSeconds(2));
        EstablishmentTests.AssertUp(lab);
    }

    private static (IkeSharp.Engine.Sa.IkeSa Alice, IkeSharp.Engine.Sa.IkeSa Bob) Sas(Lab lab)
    {
        var status = Assert.Single(lab.Bob.Engine.GetStatus());
        return (lab.Alice.Engine.FindSa(Convert.ToUInt64(status.InitiatorSpi, 16))!, lab.Bob.Engine.FindSa(Convert.ToUInt64(status.ResponderSpi, 16))!);
    }

    [Fact]
    public void Half_open_entries_are_released_when_the_initiator_floats_to_4500()
    {
        var lab = new Lab(bob: t => t with { RemoteAddresses = [] }) { AliceBehindNat = true }.Establish();

        EstablishmentTests.AssertUp(lab);
        Assert.Equal(0, lab.Bob.Engine.HalfOpenCount);
    }
}
