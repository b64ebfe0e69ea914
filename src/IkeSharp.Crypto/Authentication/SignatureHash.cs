using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using HashAlgorithm = IkeSharp.Protocol.HashAlgorithm;

namespace IkeSharp.Crypto;

/// <summary>The hash functions usable in DIGITAL_SIGNATURE authentication, with their ASN.1 identities.</summary>
internal sealed record SignatureHash(HashAlgorithm Id, HashAlgorithmName Name, string Oid, int Length)
{
    // OIDs from RFC 5754 §2 (id-sha256, id-sha384, id-sha512).
    public static readonly SignatureHash Sha256 = new(HashAlgorithm.SHA2_256, HashAlgorithmName.SHA256, "2.16.840.1.101.3.4.2.1", 32);
    public static readonly SignatureHash Sha384 = new(HashAlgorithm.SHA2_384, HashAlgorithmName.SHA384, "2.16.840.1.101.3.4.2.2", 48);
    public static readonly SignatureHash Sha512 = new(HashAlgorithm.SHA2_512, HashAlgorithmName.SHA512, "2.16.840.1.101.3.4.2.3", 64);

    public static IReadOnlyList<SignatureHash> All { get; } = [Sha256, Sha384, Sha512];

    public static bool TryGet(HashAlgorithm id, [NotNullWhen(true)] out SignatureHash? hash)
    {
        hash = All.FirstOrDefault(h => h.Id == id);
        return hash is not null;
    }

    public static bool TryGetByOid(string oid, [NotNullWhen(true)] out SignatureHash? hash)
    {
        hash = All.FirstOrDefault(h => h.Oid == oid);
        return hash is not null;
    }
}
