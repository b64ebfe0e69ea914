using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;

namespace IkeSharp.Crypto;

/// <summary>DER encoding and decoding of the AlgorithmIdentifiers RFC 7427 §3 puts in the AUTH payload.</summary>
internal static class SignatureAlgorithmIdentifier
{
    public const string RsassaPssOid = "1.2.840.113549.1.1.10";

    // RFC 4055 §3.1: id-mgf1, and the RSASSA-PSS-params defaults (SHA-1, MGF1 with SHA-1, salt 20, trailer 1).
    private const string Mgf1Oid = "1.2.840.113549.1.1.8";
    private const string Sha1Oid = "1.3.14.3.2.26";
    private const int DefaultSaltLength = 20;
    private const int DefaultTrailerField = 1;

    private static readonly Asn1Tag HashAlgorithmTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag MaskGenAlgorithmTag = new(TagClass.ContextSpecific, 1, isConstructed: true);
    private static readonly Asn1Tag SaltLengthTag = new(TagClass.ContextSpecific, 2, isConstructed: true);
    private static readonly Asn1Tag TrailerFieldTag = new(TagClass.ContextSpecific, 3, isConstructed: true);

    public static byte[] Encode(SignatureScheme scheme)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(scheme.Oid);
            if (scheme.IsPss)
            {
                WritePssParameters(writer, scheme.HashInfo);
            }
            else if (scheme.KeyAlgorithm == SignatureKeyAlgorithm.Rsa)
            {
                // RFC 4055 §5: the sha*WithRSAEncryption parameters are NULL (as in RFC 7427 Appendix A.1).
                writer.WriteNull();
            }

            // RFC 5758 §3.2: ecdsa-with-SHA* take no parameters at all.
        }

        return writer.Encode();
    }

    /// <summary>Maps a peer's AlgorithmIdentifier to a supported scheme, or explains why it cannot.</summary>
    public static bool TryDecode(
        ReadOnlySpan<byte> der, [NotNullWhen(true)] out SignatureScheme? scheme, [NotNullWhen(false)] out string? error)
    {
        scheme = null;
        try
        {
            var reader = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
            var algorithm = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            string oid = algorithm.ReadObjectIdentifier();
            if (oid == RsassaPssOid)
            {
                return TryDecodePss(algorithm, out scheme, out error);
            }

            scheme = SignatureScheme.All.FirstOrDefault(s => !s.IsPss && s.Oid == oid);
            if (scheme is null)
            {
                error = $"the AlgorithmIdentifier names {oid}, which is not a supported signature algorithm";
                return false;
            }

            // NULL and absent parameters are equivalent for the PKCS#1 v1.5 OIDs (RFC 4055 §5); ECDSA has none.
            if (scheme.KeyAlgorithm == SignatureKeyAlgorithm.Rsa && algorithm.HasData)
            {
                algorithm.ReadNull();
            }

            algorithm.ThrowIfNotEmpty();
            error = null;
            return true;
        }
        catch (AsnContentException e)
        {
            scheme = null;
            error = $"the AlgorithmIdentifier is not valid DER ({e.Message})";
            return false;
        }
    }

    // RFC 4055 §3.1 RSASSA-PSS-params. trailerField is DEFAULT 1, so DER leaves it out (X.690 §11.5);
    // RFC 7427 Appendix A.4 lists an encoding that includes it, which TryDecodePss accepts too.
    private static void WritePssParameters(AsnWriter writer, SignatureHash hash)
    {
        using (writer.PushSequence())
        {
            using (writer.PushSequence(HashAlgorithmTag))
            {
                WriteHashAlgorithm(writer, hash);
            }

            using (writer.PushSequence(MaskGenAlgorithmTag))
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(Mgf1Oid);
                    WriteHashAlgorithm(writer, hash);
                }
            }

            using (writer.PushSequence(SaltLengthTag))
            {
                writer.WriteInteger(hash.Length);
            }
        }
    }

    private static void WriteHashAlgorithm(AsnWriter writer, SignatureHash hash)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(hash.Oid);
            writer.WriteNull();
        }
    }

    private static bool TryDecodePss(
        AsnReader algorithm, [NotNullWhen(true)] out SignatureScheme? scheme, [NotNullWhen(false)] out string? error)
    {
        scheme = null;
        var parameters = algorithm.ReadSequence();
        algorithm.ThrowIfNotEmpty();

        string hashOid = Sha1Oid;
        string mgfHashOid = Sha1Oid;
        int saltLength = DefaultSaltLength;
        int trailerField = DefaultTrailerField;
        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(HashAlgorithmTag))
        {
            var field = parameters.ReadSequence(HashAlgorithmTag);
            hashOid = ReadHashAlgorithm(field);
            field.ThrowIfNotEmpty();
        }

        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(MaskGenAlgorithmTag))
        {
            var field = parameters.ReadSequence(MaskGenAlgorithmTag);
            var maskGen = field.ReadSequence();
            field.ThrowIfNotEmpty();
            string maskGenOid = maskGen.ReadObjectIdentifier();
            if (maskGenOid != Mgf1Oid)
            {
                error = $"RSASSA-PSS with mask generation function {maskGenOid} is not supported (MGF1 only)";
                return false;
            }

            mgfHashOid = ReadHashAlgorithm(maskGen);
            maskGen.ThrowIfNotEmpty();
        }

        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(SaltLengthTag))
        {
            saltLength = ReadExplicitInt32(parameters, SaltLengthTag);
        }

        if (parameters.HasData && parameters.PeekTag().HasSameClassAndValue(TrailerFieldTag))
        {
            trailerField = ReadExplicitInt32(parameters, TrailerFieldTag);
        }

        parameters.ThrowIfNotEmpty();

        if (!SignatureHash.TryGetByOid(hashOid, out var hash))
        {
            error = $"RSASSA-PSS with hash {hashOid} is not supported (SHA-256, SHA-384 or SHA-512 only)";
            return false;
        }

        if (mgfHashOid != hashOid)
        {
            error = $"RSASSA-PSS with MGF1 over {mgfHashOid} and message hash {hashOid} is not supported; both must be the same";
            return false;
        }

        if (saltLength != hash.Length || trailerField != DefaultTrailerField)
        {
            error = $"RSASSA-PSS with a {saltLength}-octet salt and trailer field {trailerField} is not supported; " +
                $"the salt must be the {hash.Length}-octet hash length and the trailer field 1";
            return false;
        }

        scheme = SignatureScheme.All.First(s => s.IsPss && s.HashInfo == hash);
        error = null;
        return true;
    }

    private static string ReadHashAlgorithm(AsnReader reader)
    {
        var algorithm = reader.ReadSequence();
        string oid = algorithm.ReadObjectIdentifier();

        // RFC 4055 §2.1: NULL and absent parameters are both legal for the hash AlgorithmIdentifiers.
        if (algorithm.HasData)
        {
            algorithm.ReadNull();
        }

        algorithm.ThrowIfNotEmpty();
        return oid;
    }

    private static int ReadExplicitInt32(AsnReader parameters, Asn1Tag tag)
    {
        var field = parameters.ReadSequence(tag);
        if (!field.TryReadInt32(out int value))
        {
            throw new AsnContentException($"The [{tag.TagValue}] INTEGER is out of range.");
        }

        field.ThrowIfNotEmpty();
        return value;
    }
}
