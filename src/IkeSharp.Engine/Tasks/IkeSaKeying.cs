using IkeSharp.Crypto;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Engine.Sa;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tasks;

/// <summary>Keys a new IKE SA from a completed key exchange: IKE_SA_INIT (§2.14) and the IKE SA rekey (§2.18) differ only in how SKEYSEED is made.</summary>
internal static class IkeSaKeying
{
    /// <summary>
    /// g^ir with the peer's public value, the keys <paramref name="derive"/> makes from it, and the
    /// suite and keys set on <paramref name="sa"/>; the key exchange is disposed either way.
    /// Returns null, or why the peer's public value is unusable.
    /// </summary>
    public static string? Establish(IkeSa sa, KeyExchange keyExchange, KeyExchangePayload peer, Proposal chosen, Func<IkeSaCipherSuite, SecretBuffer, IkeSaKeys> derive)
    {
        var suite = NegotiatedSuite.ForIkeSa(chosen);
        try
        {
            using var shared = keyExchange.DeriveSharedSecret(peer.Data.Span);
            sa.SetKeys(suite, chosen, derive(suite, shared));
            return null;
        }
        catch (InvalidPeerKeyExchangeException e)
        {
            return $"peer's {peer.Method} public value is invalid: {e.Message}";
        }
        finally
        {
            keyExchange.Dispose();
        }
    }
}
