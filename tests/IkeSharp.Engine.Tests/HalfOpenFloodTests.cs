using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tests;

/// <summary>
/// The responder under a flood of IKE_SA_INIT: COOKIEs above cookie_threshold (RFC 7296 §2.6), then
/// block_threshold per address and half_open_limit in all; the COOKIE secret rotates.
/// </summary>
public class HalfOpenFloodTests
{
    private static readonly IPEndPoint Bob = new(IPAddress.Parse("192.0.2.2"), 500);

    // 3,000 x IKE_SA_INIT { SA, KE, Ni } from 3,000 forged addresses -->
    //                          <-- 10 answered, then N(COOKIE) only: no state for the rest
    // alice: IKE_SA_INIT -->  <-- N(COOKIE);  IKE_SA_INIT { N(COOKIE), SA, KE, Ni } -->  <-- { SA, KE, Nr } ... up
    [Fact]
    public void A_peer_connects_during_a_flood_of_spoofed_IKE_SA_INIT_from_thousands_of_addresses()
    {
        var lab = new Lab(bob: t => t with { RemoteAddresses = [] });
        var request = AliceFirstRequest();
        for (var i = 0; i < 3000; i++)
        {
            lab.Bob.Engine.Receive(Bob, Forged(i), WithNewSpi(request));
        }

        lab.Pump();

        Assert.Equal(10, lab.Bob.Engine.HalfOpenCount); // the default cookie_threshold
        Assert.Equal(2990, lab.Bob.Engine.Statistics.CookiesSent);
        Assert.Single(lab.Log, l => l.Contains("with a COOKIE first: 10 half-open IKE SAs reached cookie_threshold 10")); // one line per 10 s, not one per COOKIE

        lab.Establish();

        Assert.Contains(lab.Alice.States, s => s.State == TunnelState.Up); // within the 2 s Establish runs
        Assert.Equal(2991, lab.Bob.Engine.Statistics.CookiesSent);
        lab.Run(TimeSpan.FromSeconds(31));
        Assert.Equal(0, lab.Bob.Engine.HalfOpenCount); // the forged ones timed out
        EstablishmentTests.AssertUp(lab);
    }

    // 6 x IKE_SA_INIT from one address  -->  5 answered, the 6th asked for a COOKIE (block_threshold 5);
    // 6 x IKE_SA_INIT { N(COOKIE), ... }  -->  5 more answered, the 6th dropped: the address proved itself
    [Fact]
    public void One_address_gets_block_threshold_half_open_SAs_then_as_many_with_COOKIEs_then_none()
    {
        var lab = new Lab(bob: t => t with { RemoteAddresses = [] }, bobOptions: o => o with { CookieThreshold = 100 });
        var request = AliceFirstRequest();
        var attacker = Forged(1);
        for (var i = 0; i < 5; i++)
        {
            lab.Bob.Engine.Receive(Bob, attacker, WithNewSpi(request));
        }

        lab.Pump();
        for (var i = 0; i < 6; i++)
        {
            var next = WithNewSpi(request);
            lab.Bob.Engine.Receive(Bob, attacker, next);
            lab.Pump();
            lab.Bob.Engine.Receive(Bob, attacker, WithCookie(next, CookieIn(lab.Bob.Sent[^1])));
            lab.Pump();
        }

        Assert.Equal(10, lab.Bob.Engine.HalfOpenCount);
        Assert.Equal(6, lab.Bob.Engine.Statistics.CookiesSent);
        Assert.Equal(1, lab.Bob.Engine.Statistics.HalfOpenRefused);
        lab.AssertLogged(l => l.Contains($"with a COOKIE first: 5 half-open IKE SAs from its address reached block_threshold 5"));
        lab.AssertLogged(l => l.Contains($"5 half-open IKE SAs from {attacker}, its address proven by COOKIEs, reached block_threshold 5: its IKE_SA_INIT is dropped"));

        lab.Run(TimeSpan.FromSeconds(31)); // half_open_timeout releases the address
        lab.Bob.Engine.Receive(Bob, attacker, WithNewSpi(request));
        lab.Pump();
        Assert.Equal(1, lab.Bob.Engine.HalfOpenCount);
    }

    // 5 forged IKE_SA_INIT in alice's name (her address)  -->  5 half-open SAs counted against her address
    // alice: IKE_SA_INIT -->  <-- N(COOKIE);  IKE_SA_INIT { N(COOKIE), ... } -->  ... up
    [Fact]
    public void Forged_requests_in_a_peers_name_cannot_block_it()
    {
        var lab = new Lab(bobOptions: o => o with { CookieThreshold = 100 });
        var request = AliceFirstRequest();
        for (var i = 0; i < 5; i++)
        {
            lab.Bob.Engine.Receive(Bob, new IPEndPoint(lab.Alice.Address, 500), WithNewSpi(request));
        }

        lab.Pump();
        Assert.Equal(5, lab.Bob.Engine.HalfOpenCount);

        lab.Establish();

        Assert.Contains(lab.Alice.States, s => s.State == TunnelState.Up);
        Assert.Equal(1, lab.Bob.Engine.Statistics.CookiesSent);
    }

    [Fact]
    public void Above_half_open_limit_every_new_IKE_SA_INIT_is_dropped()
    {
        var lab = new Lab(bob: t => t with { RemoteAddresses = [] }, bobOptions: o => o with { CookieThreshold = 100, HalfOpenLimit = 3 });
        var request = AliceFirstRequest();
        for (var i = 0; i < 4; i++)
        {
            lab.Bob.Engine.Receive(Bob, Forged(i), WithNewSpi(request));
        }

        lab.Pump();

        Assert.Equal(3, lab.Bob.Engine.HalfOpenCount);
        Assert.DoesNotContain(lab.Bob.Sent, s => s.Remote.Equals(Forged(3)));
        lab.AssertLogged(l => l.Contains($"3 half-open IKE SAs reached half_open_limit 3: IKE_SA_INIT from {Forged(3)} is dropped"));
    }

    // alice: IKE_SA_INIT -->  <-- N(COOKIE c1)
    // ... the retry with c1 arrives after bob's secret changed:
    //   within one more lifetime  --> accepted;   later  --> <-- N(COOKIE c2), alice retries with c2 --> up
    [Theory]
    [InlineData(90, 1)]
    [InlineData(150, 2)]
    public void A_COOKIE_of_the_previous_secret_is_accepted_an_older_one_gets_a_new_COOKIE(int delaySeconds, int cookies)
    {
        var lab = new Lab(bobOptions: o => o with { CookieThreshold = 0, CookieSecretLifetime = TimeSpan.FromMinutes(1) })
        {
            Hold = (node, sent) => node.Name == "alice" && IkeMessage.TryDecode(sent.Datagram, out var m, out _) && m.Payloads[0] is NotifyPayload { NotifyType: NotifyType.COOKIE },
        };
        lab.Alice.Engine.Start();
        lab.Run(TimeSpan.FromSeconds(1));
        Assert.Equal(1, lab.Bob.Engine.Statistics.CookiesSent);

        lab.Time.Advance(TimeSpan.FromSeconds(delaySeconds));
        lab.Release();
        lab.Run(TimeSpan.FromSeconds(5));

        EstablishmentTests.AssertUp(lab);
        Assert.Equal(cookies, lab.Bob.Engine.Statistics.CookiesSent);
        Assert.Equal(0, lab.Bob.Engine.HalfOpenCount);
    }

    private static byte[] AliceFirstRequest()
    {
        var template = new Lab();
        template.Alice.Engine.Start();
        template.Pump();
        return template.Alice.Sent[0].Datagram;
    }

    /// <summary>The same request under a fresh initiator SPI: a new IKE SA to the responder.</summary>
    private static byte[] WithNewSpi(byte[] request)
    {
        var copy = (byte[])request.Clone();
        BinaryPrimitives.WriteUInt64BigEndian(copy, BinaryPrimitives.ReadUInt64BigEndian(RandomNumberGenerator.GetBytes(8)) | 1);
        return copy;
    }

    /// <summary>The COOKIE of a responder's stateless answer.</summary>
    private static byte[] CookieIn(SendDatagram response)
    {
        Assert.True(IkeMessage.TryDecode(response.Datagram, out var message, out _));
        var cookie = Assert.IsType<NotifyPayload>(message!.Payloads[0]);
        Assert.Equal(NotifyType.COOKIE, cookie.NotifyType);
        return cookie.Data.ToArray();
    }

    /// <summary>The request again, with the responder's COOKIE first (RFC 7296 §2.6).</summary>
    private static byte[] WithCookie(byte[] request, byte[] cookie)
    {
        Assert.True(IkeMessage.TryDecode(request, out var message, out _));
        return new IkeMessage(message!.Header, [NotifyPayload.Create(NotifyType.COOKIE, cookie), .. message.Payloads]).Encode();
    }

    private static IPEndPoint Forged(int i) => new(new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]), 500);
}
