using System.Text.RegularExpressions;
using IkeSharp.Engine.Configuration;
using IkeSharp.Protocol;

namespace IkeSharp.Config.Import;

/// <summary>
/// ipsec.conf's <c>ike=</c>, <c>esp=</c> and <c>phase2alg=</c> in strongSwan's spelling
/// (<c>aes256-sha1-modp2048</c>) and Openswan's/Libreswan's (<c>aes256-sha1;modp2048</c>,
/// <c>aes_gcm256-sha2_256;dh14</c>), turned into IkeSharp's proposal syntax. What IkeSharp cannot
/// run is dropped with a reason instead of making the imported config fail to load.
/// </summary>
internal static partial class IpsecProposals
{
    /// <summary>Openswan and Libreswan words for what strongSwan and IkeSharp spell otherwise.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sha2"] = "sha256",
        ["aes_cbc"] = "aes",
        ["aes_gcm"] = "aes256gcm16-aes128gcm16",
        ["aes_gcm_c"] = "aes256gcm16-aes128gcm16",
        ["aes_gcm16"] = "aes256gcm16-aes128gcm16",
        ["dh2"] = "modp1024",
        ["dh5"] = "modp1536",
        ["dh14"] = "modp2048",
        ["dh15"] = "modp3072",
        ["dh16"] = "modp4096",
        ["dh18"] = "modp8192",
        ["dh19"] = "ecp256",
        ["dh20"] = "ecp384",
        ["dh21"] = "ecp521",
        ["dh31"] = "x25519",
    };

    /// <summary>The native proposal list, or null when nothing usable is left (IkeSharp's defaults then apply).</summary>
    /// <param name="dropGroups">Openswan's <c>pfs=no</c>: key exchange methods in ESP proposals are left out.</param>
    public static string? Convert(string value, ProtocolId protocol, bool dropGroups, Action<string> report, ref bool legacyGroups)
    {
        var kept = new List<string>();
        foreach (var proposal in value.TrimEnd('!', ' ').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var words = proposal.Replace(';', '-').Split('-', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .SelectMany(w => Translate(w).Split('-'))
                .Where(w => !w.Equals("null", StringComparison.OrdinalIgnoreCase) && !(dropGroups && IsGroup(w)))
                .ToList();
            if (protocol == ProtocolId.IKE && words.Count > 0 && !words.Any(IsGroup))
            {
                // Openswan fills in its default groups when ike= names none; IKEv2 needs one named.
                words.Add("modp2048");
                report($"'{proposal}' names no DH group: modp2048 added, as IKEv2 needs one");
            }

            foreach (var part in SplitAead(words))
            {
                var native = Check(part, protocol, proposal, report, ref legacyGroups);
                if (native is not null)
                {
                    kept.Add(native);
                }
            }
        }

        if (kept.Count == 0)
        {
            report("no proposal left that IkeSharp can run: its defaults apply");
            return null;
        }

        return string.Join(",", kept.Distinct());
    }

    private static string Translate(string word)
    {
        if (Aliases.TryGetValue(word, out var alias))
        {
            return alias;
        }

        // Libreswan's aes_gcm256 / aes_gcm_c_256, strongSwan's aes256gcm128 (ICV length in bits).
        if (GcmWithKeyLength().Match(word) is { Success: true } gcm)
        {
            return $"aes{gcm.Groups[1].Value}gcm16";
        }

        if (GcmIcvBits().Match(word) is { Success: true } icv)
        {
            return $"aes{icv.Groups[1].Value}gcm{int.Parse(icv.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) / 8}";
        }

        return word;
    }

    private static bool IsGroup(string word)
        => AlgorithmKeywords.TryResolve(word, out var transforms) && transforms.All(t => t.Type == TransformType.KE);

    private static bool IsAead(string word)
        => AlgorithmKeywords.TryResolve(word, out var transforms) && transforms is [{ Type: TransformType.ENCR } t] && new ProposalSpec(ProtocolId.ESP, [t]).IsAead;

    private static bool IsEncryption(string word)
        => AlgorithmKeywords.TryResolve(word, out var transforms) && transforms.Any(t => t.Type == TransformType.ENCR);

    /// <summary>
    /// strongSwan before 5.9 took AEAD and classic ciphers in one proposal (the seed's
    /// <c>aes192gcm16-aes128gcm16-aes192-prfsha256-ecp256-ecp521</c>); they go in two proposals
    /// here, as strongSwan now requires, the one whose cipher was named first first.
    /// </summary>
    private static List<List<string>> SplitAead(List<string> words)
    {
        var aead = words.Where(IsAead).ToList();
        var classic = words.Where(w => IsEncryption(w) && !IsAead(w)).ToList();
        if (aead.Count == 0 || classic.Count == 0)
        {
            return [words];
        }

        var others = words.Where(w => !IsEncryption(w)).ToList();
        List<string> aeadPart = [.. aead, .. others];
        List<string> classicPart = [.. classic, .. others];
        return IsAead(words.First(IsEncryption)) ? [aeadPart, classicPart] : [classicPart, aeadPart];
    }

    private static string? Check(List<string> words, ProtocolId protocol, string original, Action<string> report, ref bool legacyGroups)
    {
        // Algorithms IkeSharp does not implement leave the proposal; the rest may still make one.
        var missing = words.Where(w => AlgorithmKeywords.TryResolve(w, out var t) && t.Any(x => x.Type != TransformType.PRF && !ConfigLoader.IsImplemented(x))).ToList();
        if (missing.Count > 0)
        {
            report($"{string.Join(", ", missing)} in '{original}' left out: not implemented by IkeSharp");
            words = [.. words.Except(missing)];
        }

        var text = string.Join('-', words);
        try
        {
            var parsed = ProposalSyntax.Parse(text, protocol);
            // Transform is a struct: look for a match, not for a non-null FirstOrDefault.
            var transforms = parsed.SelectMany(p => p.Transforms).ToList();
            if (transforms.Exists(t => !ConfigLoader.IsImplemented(t)))
            {
                report($"'{original}' left out: {AlgorithmKeywords.DisplayName(transforms.First(t => !ConfigLoader.IsImplemented(t)))} is not implemented by IkeSharp");
                return null;
            }

            if (transforms.Exists(ConfigLoader.IsLegacyGroup))
            {
                legacyGroups = true;
                report($"'{original}' uses {AlgorithmKeywords.DisplayName(transforms.First(ConfigLoader.IsLegacyGroup))}, a legacy group (RFC 8247): allow_legacy_groups = yes set so the peer can still agree");
            }

            return text;
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // The keyword list ProposalSyntax appends is long; the report names the offending word only.
            report($"'{(text.Length > 0 ? text : original)}' (from '{original}') left out: {e.Message.Split("; known keywords")[0]}");
            return null;
        }
    }

    [GeneratedRegex(@"^aes_gcm(?:_c)?_?(128|192|256)$", RegexOptions.IgnoreCase)]
    private static partial Regex GcmWithKeyLength();

    [GeneratedRegex(@"^aes(128|192|256)gcm(64|96|128)$", RegexOptions.IgnoreCase)]
    private static partial Regex GcmIcvBits();
}
