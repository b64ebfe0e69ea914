using System.Collections.Immutable;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Configuration;

/// <summary>
/// One configured proposal: for each transform type the acceptable algorithms in preference order
/// (RFC 7296 §3.3: a proposal offers any combination of one transform per type).
/// </summary>
public sealed record ProposalSpec(ProtocolId Protocol, ImmutableArray<Transform> Transforms)
{
    public IEnumerable<Transform> OfType(TransformType type) => Transforms.Where(t => t.Type == type);

    public bool IsAead => OfType(TransformType.ENCR).All(t => IsAeadAlgorithm((EncryptionAlgorithm)t.Id));

    /// <summary>The wire proposal with its number and SPI (empty for a new IKE SA, 4 octets for ESP).</summary>
    public Proposal ToProposal(byte number, ReadOnlyMemory<byte> spi) => new(number, Protocol, spi, Transforms);

    /// <summary>strongSwan's log notation, e.g. <c>IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048</c>.</summary>
    public override string ToString() => Describe(Protocol, Transforms);

    public static string Describe(ProtocolId protocol, IEnumerable<Transform> transforms)
        => $"{protocol}:{string.Join('/', transforms.Select(AlgorithmKeywords.DisplayName))}";

    internal static bool IsAeadAlgorithm(EncryptionAlgorithm id) => id is EncryptionAlgorithm.ENCR_AES_GCM_8 or EncryptionAlgorithm.ENCR_AES_GCM_12
        or EncryptionAlgorithm.ENCR_AES_GCM_16 or EncryptionAlgorithm.ENCR_CHACHA20_POLY1305 or EncryptionAlgorithm.ENCR_AES_CCM_8
        or EncryptionAlgorithm.ENCR_AES_CCM_12 or EncryptionAlgorithm.ENCR_AES_CCM_16;
}
