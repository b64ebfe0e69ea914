using IkeSharp.Engine.Sa;

namespace IkeSharp.Engine.Tests;

public class EstablishmentTests
{
    [Fact]
    public void PSK_tunnel_comes_up_in_two_exchanges()
    {
        var lab = new Lab().Establish();

        Assert.Equal(
        [
            // HDR, SAi1, KEi, Ni  -->
            "alice: IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            //                  <--  HDR, SAr1, KEr, Nr
            "bob: IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            // HDR, SK { IDi, N(INITIAL_CONTACT), IDr, AUTH, SAi2, TSi, TSr }  -->
            "alice: IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]",
            //                  <--  HDR, SK { IDr, AUTH, SAr2, TSi, TSr }
            "bob: IKE_AUTH response 1 [ IDr AUTH SA TSi TSr ]",
        ], lab.Trace);
        AssertUp(lab);
    }

    [Fact]
    public void Both_sides_derive_the_same_Child_SA_keys()
    {
        var lab = new Lab().Establish();

        var a = Assert.Single(lab.Alice.Installed);
        var b = Assert.Single(lab.Bob.Installed);
        Assert.Equal(a.InboundSpi, b.OutboundSpi);
        Assert.Equal(a.OutboundSpi, b.InboundSpi);
        Assert.Equal(Convert.ToHexString(a.OutboundEncryptionKey.Span), Convert.ToHexString(b.InboundEncryptionKey.Span));
        Assert.Equal(Convert.ToHexString(a.InboundEncryptionKey.Span), Convert.ToHexString(b.OutboundEncryptionKey.Span));
        Assert.NotEqual(Convert.ToHexString(a.InboundEncryptionKey.Span), Convert.ToHexString(a.OutboundEncryptionKey.Span));
        Assert.Equal(36, a.InboundEncryptionKey.Length); // AES-256-GCM key and 4-octet salt
        Assert.Equal(["10.1.0.0/24"], a.LocalTrafficSelectors.Select(t => t.ToString()));
        Assert.Equal(["10.2.0.0/24"], b.LocalTrafficSelectors.Select(t => t.ToString()));
    }

    internal static void AssertUp(Lab lab)
    {
        foreach (var node in new[] { lab.Alice, lab.Bob })
        {
            var sa = Assert.Single(node.Engine.GetStatus());
            Assert.True(sa.State == IkeSaState.Established, $"{node.Name}: {sa.State}\n{string.Join("\n", lab.Log)}");
            Assert.Single(sa.Children);
        }
    }
}
