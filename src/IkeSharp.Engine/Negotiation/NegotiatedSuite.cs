using IkeSharp.Crypto;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Negotiation;

/// <summary>The cipher suites a selected proposal (one transform per type) stands for.</summary>
public static class NegotiatedSuite
{
    public static IkeSaCipherSuite ForIkeSa(Proposal selected)
    {
        var (encryption, keyBits, integrity, group) = Common(selected);
        return new IkeSaCipherSuite(encryption, keyBits, integrity, (PseudorandomFunction)selected.OfType(TransformType.PRF).Single().Id, group);
    }

    public static ChildSaCipherSuite ForChildSa(Proposal selected)
    {
        var (encryption, keyBits, integrity, group) = Common(selected);
        return new ChildSaCipherSuite(encryption, keyBits, integrity, group,
            selected.OfType(TransformType.ESN).Any(t => t.Id == (ushort)ExtendedSequenceNumbers.ESN));
    }

    private static (EncryptionAlgorithm, int, IntegrityAlgorithm, KeyExchangeMethod) Common(Proposal selected)
    {
        var encryption = selected.OfType(TransformType.ENCR).Single();
        return (
            (EncryptionAlgorithm)encryption.Id,
            encryption.KeyLength ?? 0,
            selected.OfType(TransformType.INTEG).Select(t => (IntegrityAlgorithm)t.Id).FirstOrDefault(IntegrityAlgorithm.NONE),
            selected.OfType(TransformType.KE).Select(t => (KeyExchangeMethod)t.Id).FirstOrDefault(KeyExchangeMethod.NONE));
    }
}
