using System.Collections.Immutable;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Configuration;

/// <summary>
/// Parses proposals in strongSwan's syntax: algorithms joined by <c>-</c> form one proposal,
/// proposals are separated by <c>,</c> (<c>aes256-sha1-modp2048,aes128-sha256-modp2048</c>,
/// <c>aes192gcm16-aes128gcm16-prfsha256-ecp256-ecp521</c>); <c>default</c> is IkeSharp's defaults.
/// Rules as strongSwan applies them: for IKE, an integrity keyword also supplies its PRF unless a
/// <c>prf...</c> keyword is given; AEAD proposals carry no integrity algorithm; ESP proposals get
/// <c>noesn</c> unless <c>esn</c> is named, and a key exchange method there means PFS.
/// </summary>
public static class ProposalSyntax
{
    public const string DefaultIke =
        "aes128-aes192-aes256-sha256-sha384-sha512-sha1-x25519-x448-ecp256-ecp384-ecp521-modp3072-modp4096-modp8192-modp2048," +
        "aes128gcm16-aes192gcm16-aes256gcm16-chacha20poly1305-prfsha256-prfsha384-prfsha512-prfsha1-x25519-x448-ecp256-ecp384-ecp521-modp3072-modp4096-modp8192-modp2048";

    public const string DefaultEsp = "aes128-aes192-aes256-sha256-sha384-sha512-sha1,aes128gcm16-aes192gcm16-aes256gcm16";

    /// <exception cref="FormatException">Names the offending keyword and what would be valid.</exception>
    public static ImmutableArray<ProposalSpec> Parse(string text, ProtocolId protocol)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var proposals = ImmutableArray.CreateBuilder<ProposalSpec>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Equals("default", StringComparison.OrdinalIgnoreCase))
            {
                proposals.AddRange(Parse(protocol == ProtocolId.IKE ? DefaultIke : DefaultEsp, protocol));
                continue;
            }

            proposals.Add(ParseOne(part, protocol));
        }

        return proposals.ToImmutable();
    }

    private static ProposalSpec ParseOne(string text, ProtocolId protocol)
    {
        var encryption = new List<Transform>();
        var integrity = new List<Transform>();
        var prfs = new List<Transform>();
        var impliedPrfs = new List<Transform>();
        var groups = new List<Transform>();
        var esn = new List<Transform>();
        foreach (var keyword in text.Split('-', StringSplitOptions.TrimEntries))
        {
            if (!AlgorithmKeywords.TryResolve(keyword, out var transforms))
            {
                throw new FormatException($"unknown algorithm '{keyword}' in proposal '{text}'; known keywords: {string.Join(' ', AlgorithmKeywords.Known)}");
            }

            foreach (var transform in transforms)
            {
                var list = transform.Type switch
                {
                    TransformType.ENCR => encryption,
                    TransformType.INTEG => integrity,
                    TransformType.PRF when transforms.Length > 1 => impliedPrfs,
                    TransformType.PRF => prfs,
                    TransformType.KE => groups,
                    _ => esn,
                };
                if (!list.Contains(transform))
                {
                    list.Add(transform);
                }
            }
        }

        if (encryption.Count == 0)
        {
            throw new FormatException($"proposal '{text}' names no encryption algorithm (e.g. aes256 or aes256gcm16)");
        }

        var aead = encryption.Where(t => ProposalSpec.IsAeadAlgorithm((EncryptionAlgorithm)t.Id)).ToList();
        if (aead.Count > 0 && aead.Count != encryption.Count)
        {
            throw new FormatException($"proposal '{text}' mixes AEAD and non-AEAD encryption; put them in separate proposals joined by ','");
        }

        if (aead.Count > 0)
        {
            integrity.Clear(); // RFC 5282 §8: an AEAD proposal has no integrity transform.
        }
        else if (integrity.Count == 0)
        {
            throw new FormatException($"proposal '{text}' has no integrity algorithm (e.g. sha256); only AEAD ciphers such as aes256gcm16 go without");
        }

        var transformsOut = new List<Transform>(encryption);
        transformsOut.AddRange(integrity);
        if (protocol == ProtocolId.IKE)
        {
            var prf = prfs.Count > 0 ? prfs : impliedPrfs;
            if (prf.Count == 0)
            {
                throw new FormatException($"IKE proposal '{text}' needs a PRF (e.g. prfsha256) because its AEAD cipher brings no integrity algorithm to derive one from");
            }

            if (groups.Count == 0)
            {
                throw new FormatException($"IKE proposal '{text}' needs a key exchange method (e.g. modp2048, ecp256 or x25519)");
            }

            transformsOut.AddRange(prf);
            transformsOut.AddRange(groups);
        }
        else
        {
            if (prfs.Count > 0)
            {
                throw new FormatException($"ESP proposal '{text}' names a PRF; ESP has none (remove {string.Join(", ", prfs.Select(AlgorithmKeywords.DisplayName))})");
            }

            transformsOut.AddRange(groups);
            transformsOut.AddRange(esn.Count > 0 ? esn : [Transform.SequenceNumbers(ExtendedSequenceNumbers.NO_ESN)]);
        }

        return new ProposalSpec(protocol, [.. transformsOut]);
    }
}
