using IkeSharp.Engine.Configuration;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tests;

/// <summary>Reload: unchanged tunnels keep their SAs, changed ones are re-established, removed ones closed.</summary>
public class ReloadTests
{
    private static EngineOptions AliceOptions(params TunnelConfig[] tunnels) => new() { Tunnels = [.. tunnels] };

    [Fact]
    public void An_identical_config_leaves_the_SAs_alone()
    {
        var lab = new Lab().Establish();
        var before = Assert.Single(lab.Alice.Engine.GetStatus());

        // A fresh load of the same settings: new instances, equal contents.
        var effects = lab.Alice.Effects.Count;
        var result = lab.Alice.Engine.Reconfigure(AliceOptions(Lab.DefaultTunnel(initiator: true)));
        lab.Pump();

        Assert.Equal("net", Assert.Single(result.Unchanged));
        Assert.Equal(effects, lab.Alice.Effects.Count);
        lab.Run(TimeSpan.FromSeconds(5));
        Assert.Equal(4, lab.Trace.Count);
        Assert.Equal(before.InitiatorSpi, Assert.Single(lab.Alice.Engine.GetStatus()).InitiatorSpi);
        Assert.Empty(lab.Alice.Removed);
    }

    [Fact]
    public void Changing_only_what_happens_after_an_SA_ends_keeps_the_SAs_and_applies_from_then_on()
    {
        var lab = new Lab().Establish();
        var before = Assert.Single(lab.Alice.Engine.GetStatus());
        var updated = Lab.DefaultTunnel(initiator: true) with { CloseAction = CloseAction.None, MakeBeforeBreak = false, KeyingTries = 5 };

        var result = lab.Alice.Engine.Reconfigure(AliceOptions(updated));
        lab.Run(TimeSpan.FromSeconds(5));

        Assert.Equal("net", Assert.Single(result.Updated));
        Assert.Empty(result.Restarted);
        Assert.Equal(before.InitiatorSpi, Assert.Single(lab.Alice.Engine.GetStatus()).InitiatorSpi);
        Assert.Equal(4, lab.Trace.Count);

        // close_action = none, in force now: the peer's DELETE leaves the tunnel down.
        lab.Bob.Engine.Terminate("net");
        lab.Run(TimeSpan.FromMinutes(5));
        Assert.Empty(lab.Alice.Engine.GetStatus());
        Assert.Equal(1, lab.Trace.Count(t => t.StartsWith("alice: IKE_SA_INIT request", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_changed_tunnel_is_closed_with_DELETE_and_comes_back_as_configured()
    {
        var lab = new Lab(bob: t => t with { IkeProposals = ProposalSyntax.Parse("aes256-sha256-modp2048, aes128gcm16-prfsha256-x25519", ProtocolId.IKE) }).Establish();
        var changed = Lab.DefaultTunnel(initiator: true) with { IkeProposals = ProposalSyntax.Parse("aes128gcm16-prfsha256-x25519", ProtocolId.IKE) };

        var result = lab.Alice.Engine.Reconfigure(AliceOptions(changed));
        lab.Run(TimeSpan.FromSeconds(5));

        Assert.Equal("net", Assert.Single(result.Restarted));
        Assert.Equal(
        [
            // HDR, SK { D(IKE) }  -->
            "alice: INFORMATIONAL request 2 [ D ]",
            "bob: INFORMATIONAL response 2 [ ]",
            // then the tunnel as now configured
            "alice: IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            "bob: IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HASH_ALG) ]",
            "alice: IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]",
            "bob: IKE_AUTH response 1 [ IDr AUTH SA TSi TSr ]",
        ], lab.Trace.Skip(4));
        var sa = Assert.Single(lab.Alice.Engine.GetStatus());
        Assert.StartsWith("IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519", sa.Proposal);
        Assert.Equal(2, lab.Alice.Installed.Count);
    }

    [Fact]
    public void A_removed_tunnel_is_closed_and_stays_down_while_a_new_one_starts()
    {
        var lab = new Lab().Establish();
        var other = Lab.DefaultTunnel(initiator: true) with { Name = "other", StartAction = StartAction.None };

        var result = lab.Alice.Engine.Reconfigure(AliceOptions(other));
        lab.Run(TimeSpan.FromMinutes(10));

        Assert.Equal("net", Assert.Single(result.Removed));
        Assert.Equal("other", Assert.Single(result.Added));
        Assert.Equal(["alice: INFORMATIONAL request 2 [ D ]", "bob: INFORMATIONAL response 2 [ ]"], lab.Trace.Skip(4));
        Assert.Empty(lab.Alice.Engine.GetStatus());
        Assert.Equal("added: other; removed: net", result.ToString());
    }

    [Fact]
    public void A_new_pre_shared_key_counts_as_a_change()
    {
        var a = Lab.DefaultTunnel(initiator: true);

        Assert.True(TunnelConfigEquivalence.Equivalent(a, Lab.DefaultTunnel(initiator: true)));
        Assert.False(TunnelConfigEquivalence.Equivalent(a, a with { LocalAuth = AuthConfig.Psk("another-psk-0123456789"u8.ToArray()) }));
        Assert.False(TunnelConfigEquivalence.Equivalent(a, a with { Children = [a.Children[0] with { Lifetime = new ChildLifetime(TimeSpan.FromHours(1)) }] }));
        Assert.False(TunnelConfigEquivalence.Equivalent(a, a with { IkeLifetime = IkeLifetime.Defaults(TimeSpan.FromHours(1), TimeSpan.Zero) }));
        Assert.False(TunnelConfigEquivalence.Equivalent(a, a with { DpdDelay = TimeSpan.FromSeconds(5) }));
    }
}
