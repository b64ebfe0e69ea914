using IkeSharp.Protocol;

namespace IkeSharp.Crypto;

/// <summary>
/// A signature algorithm usable with DIGITAL_SIGNATURE authentication (RFC 7427), identified on the wire
/// by its DER AlgorithmIdentifier. Instances are the fixed set below, so reference equality is identity.
/// </summary>
public sealed class SignatureScheme
{
    private readonly byte[] _algorithmIdentifier;

    private SignatureScheme(string name, string oid, SignatureKeyAlgorithm keyAlgorithm, SignatureHash hash, bool isPss)
    {
        Name = name;
        Oid = oid;
        KeyAlgorithm = keyAlgorithm;
        HashInfo = hash;
        IsPss = isPss;
        _algorithmIdentifier = SignatureAlgorithmIdentifier.Encode(this);
    }

    // RFC 7427 Appendix A.1 (PKCS#1 v1.5, OIDs from RFC 4055 §5).
    public static SignatureScheme Sha256WithRsaEncryption { get; } =
        new("sha256WithRSAEncryption", "1.2.840.113549.1.1.11", SignatureKeyAlgorithm.Rsa, SignatureHash.Sha256, isPss: false);

    public static SignatureScheme Sha384WithRsaEncryption { get; } =
        new("sha384WithRSAEncryption", "1.2.840.113549.1.1.12", SignatureKeyAlgorithm.Rsa, SignatureHash.Sha384, isPss: false);

    public static SignatureScheme Sha512WithRsaEncryption { get; } =
        new("sha512WithRSAEncryption", "1.2.840.113549.1.1.13", SignatureKeyAlgorithm.Rsa, SignatureHash.Sha512, isPss: false);

    // RFC 7427 Appendix A.4: RSASSA-PSS, MGF1 with the same hash, salt as long as the hash.
    public static SignatureScheme RsassaPssSha256 { get; } =
        new("RSASSA-PSS with SHA-256", SignatureAlgorithmIdentifier.RsassaPssOid, SignatureKeyAlgorithm.Rsa, SignatureHash.Sha256, isPss: true);

    public static SignatureScheme RsassaPssSha384 { get; } =
        new("RSASSA-PSS with SHA-384", SignatureAlgorithmIdentifier.RsassaPssOid, SignatureKeyAlgorithm.Rsa, SignatureHash.Sha384, isPss: true);

    public static SignatureScheme RsassaPssSha512 { get; } =
        new("RSASSA-PSS with SHA-512", SignatureAlgorithmIdentifier.RsassaPssOid, SignatureKeyAlgorithm.Rsa, SignatureHash.Sha512, isPss: true);

    // RFC 7427 Appendix A.3 (OIDs from RFC 5758 §3.2).
    public static SignatureScheme EcdsaWithSha256 { get; } =
        new("ecdsa-with-SHA256", "1.2.840.10045.4.3.2", SignatureKeyAlgorithm.Ecdsa, SignatureHash.Sha256, isPss: false);

    public static SignatureScheme EcdsaWithSha384 { get; } =
        new("ecdsa-with-SHA384", "1.2.840.10045.4.3.3", SignatureKeyAlgorithm.Ecdsa, SignatureHash.Sha384, isPss: false);

    public static SignatureScheme EcdsaWithSha512 { get; } =
        new("ecdsa-with-SHA512", "1.2.840.10045.4.3.4", SignatureKeyAlgorithm.Ecdsa, SignatureHash.Sha512, isPss: false);

    public static IReadOnlyList<SignatureScheme> All { get; } =
    [
        Sha256WithRsaEncryption, Sha384WithRsaEncryption, Sha512WithRsaEncryption,
        RsassaPssSha256, RsassaPssSha384, RsassaPssSha512,
        EcdsaWithSha256, EcdsaWithSha384, EcdsaWithSha512,
    ];

    public string Name { get; }

    public SignatureKeyAlgorithm KeyAlgorithm { get; }

    public HashAlgorithm Hash => HashInfo.Id;

    public bool IsPss { get; }

    /// <summary>The DER AlgorithmIdentifier carried in the AUTH payload (RFC 7427 §3).</summary>
    public ReadOnlySpan<byte> AlgorithmIdentifier => _algorithmIdentifier;

    internal string Oid { get; }

    internal SignatureHash HashInfo { get; }

    /// <summary>The scheme for a key algorithm and hash; PSS applies to RSA only.</summary>
    /// <exception cref="NotSupportedException">No such scheme is implemented.</exception>
    public static SignatureScheme For(SignatureKeyAlgorithm keyAlgorithm, HashAlgorithm hash, bool usePss = false) =>
        All.FirstOrDefault(s => s.KeyAlgorithm == keyAlgorithm && s.Hash == hash && s.IsPss == usePss)
            ?? throw new NotSupportedException(
                $"No {(usePss ? "RSASSA-PSS " : string.Empty)}{keyAlgorithm} signature scheme with {hash} is supported.");

    public override string ToString() => Name;
}
