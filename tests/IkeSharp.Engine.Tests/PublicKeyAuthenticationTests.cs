using System.Security.Cryptography;
using IkeSharp.Engine.Configuration;

namespace IkeSharp.Engine.Tests;

/// <summary>Raw public key authentication, as strongSwan's <c>leftrsasigkey</c>/<c>rightrsasigkey</c> setups use.</summary>
public class PublicKeyAuthenticationTests
{
    private static readonly RSA AliceRsa = RSA.Create(2048);
    private static readonly RSA BobRsa = RSA.Create(2048);

    private static AuthConfig Signing(AsymmetricAlgorithm key) => new(AuthKind.PublicKey) { PrivateKey = key };

    private static AuthConfig Trusting(params AsymmetricAlgorithm[] keys) => new(AuthKind.PublicKey) { TrustedPublicKeys = [.. keys] };

    [Fact]
    public void RSA_keys_authenticate_with_RFC_7427_signatures()
    {
        var lab = new Lab(
            alice: t => t with { LocalAuth = Signing(AliceRsa), RemoteAuth = Trusting(PublicOnly(BobRsa)) },
            bob: t => t with { LocalAuth = Signing(BobRsa), RemoteAuth = Trusting(PublicOnly(AliceRsa)) }).Establish();

        EstablishmentTests.AssertUp(lab);
        lab.AssertLogged(l => l == "bob: authentication of alice.lab.example with pubkey successful");
    }

    [Fact]
    public void ECDSA_keys_authenticate()
    {
        using var alice = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var bob = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var lab = new Lab(
            alice: t => t with { LocalAuth = Signing(alice), RemoteAuth = Trusting(bob) },
            bob: t => t with { LocalAuth = Signing(bob), RemoteAuth = Trusting(alice) }).Establish();

        EstablishmentTests.AssertUp(lab);
    }

    [Fact]
    public void Signature_from_an_untrusted_key_is_AUTHENTICATION_FAILED()
    {
        using var stranger = RSA.Create(2048);
        var lab = new Lab(
            alice: t => t with { LocalAuth = Signing(stranger), RemoteAuth = Trusting(PublicOnly(BobRsa)) },
            bob: t => t with { LocalAuth = Signing(BobRsa), RemoteAuth = Trusting(PublicOnly(AliceRsa)) }).Establish();

        Assert.Equal("bob: IKE_AUTH response 1 [ N(AUTH_FAILED) ]", lab.Trace[3]);
        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains("signature does not verify with the 1 trusted key(s) of tunnel 'net'"));
    }

    [Fact]
    public void PSK_peer_against_a_public_key_tunnel_is_told_which_method_is_expected()
    {
        var lab = new Lab(bob: t => t with { LocalAuth = Signing(BobRsa), RemoteAuth = Trusting(PublicOnly(AliceRsa)) }).Establish();

        lab.AssertLogged(l => l.StartsWith("bob:") && l.Contains("peer authenticates with a pre-shared key, tunnel 'net' expects a public key signature"));
    }

    private static RSA PublicOnly(RSA key)
    {
        var copy = RSA.Create();
        copy.ImportParameters(key.ExportParameters(includePrivateParameters: false));
        return copy;
    }
}
