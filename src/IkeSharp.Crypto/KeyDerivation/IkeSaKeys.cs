namespace IkeSharp.Crypto;

/// <summary>
/// The seven secrets of an IKE SA (RFC 7296 §2.14). Keys ending in "i" protect traffic from the
/// original initiator, keys ending in "r" traffic from the original responder. Disposing zeroes them all.
/// </summary>
public sealed class IkeSaKeys : IDisposable
{
    internal IkeSaKeys(
        SecretBuffer skD, SecretBuffer skAi, SecretBuffer skAr, SecretBuffer skEi, SecretBuffer skEr, SecretBuffer skPi, SecretBuffer skPr)
    {
        SkD = skD;
        SkAi = skAi;
        SkAr = skAr;
        SkEi = skEi;
        SkEr = skEr;
        SkPi = skPi;
        SkPr = skPr;
    }

    /// <summary>Keys Child SAs and the next IKE SA (RFC 7296 §2.17, §2.18).</summary>
    public SecretBuffer SkD { get; }

    /// <summary>Initiator's integrity key; empty for an AEAD.</summary>
    public SecretBuffer SkAi { get; }

    /// <summary>Responder's integrity key; empty for an AEAD.</summary>
    public SecretBuffer SkAr { get; }

    /// <summary>Initiator's encryption key, followed by the salt for an AEAD.</summary>
    public SecretBuffer SkEi { get; }

    /// <summary>Responder's encryption key, followed by the salt for an AEAD.</summary>
    public SecretBuffer SkEr { get; }

    /// <summary>Keys the initiator's AUTH payload computation (RFC 7296 §2.15).</summary>
    public SecretBuffer SkPi { get; }

    /// <summary>Keys the responder's AUTH payload computation (RFC 7296 §2.15).</summary>
    public SecretBuffer SkPr { get; }

    public void Dispose()
    {
        SkD.Dispose();
        SkAi.Dispose();
        SkAr.Dispose();
        SkEi.Dispose();
        SkEr.Dispose();
        SkPi.Dispose();
        SkPr.Dispose();
    }
}
