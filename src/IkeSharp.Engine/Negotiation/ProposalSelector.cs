using IkeSharp.Engine.Configuration;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Negotiation;

/// <summary>
/// Proposal selection (RFC 7296 §2.7, §3.3.6). The responder walks its own proposals in its
/// preference order and, within each, its preferred algorithm per transform type that the
/// initiator also offered; the initiator verifies that the single proposal it got back is one it
/// offered, with exactly one transform of each offered type.
/// </summary>
public static class ProposalSelector
{
    private static readonly TransformType[] Types = [TransformType.ENCR, TransformType.INTEG, TransformType.PRF, TransformType.KE, TransformType.ESN];

    /// <param name="preferredKeyExchange">The group of the peer's KE payload: chosen when acceptable, to avoid an INVALID_KE_PAYLOAD round trip.</param>
    /// <param name="mismatch">Why nothing matched, configured versus received, for the operator.</param>
    public static Proposal? Select(IReadOnlyList<ProposalSpec> ours, IReadOnlyList<Proposal> theirs, KeyExchangeMethod? preferredKeyExchange, out string mismatch)
    {
        string? firstMismatch = null;
        foreach (var spec in ours)
        {
            foreach (var offered in theirs.Where(p => p.Protocol == spec.Protocol))
            {
                if (TryMatch(spec, offered, preferredKeyExchange, out var selected, out var reason))
                {
                    mismatch = "";
                    return selected;
                }

                firstMismatch ??= reason;
            }
        }

        mismatch = $"no acceptable proposal: {firstMismatch ?? "no proposal for the protocol"}; " +
            $"received {string.Join(", ", theirs.Select(p => ProposalSpec.Describe(p.Protocol, p.Transforms)))}; " +
            $"configured {string.Join(", ", ours)}";
        return null;
    }

    /// <summary>
    /// Initiator side: the response's proposal must name one we sent (by number) and pick exactly
    /// one of our transforms for every type we offered, and nothing else.
    /// </summary>
    public static bool VerifyChosen(IReadOnlyList<ProposalSpec> sent, Proposal chosen, out string problem)
    {
        if (chosen.Number < 1 || chosen.Number > sent.Count || sent[chosen.Number - 1].Protocol != chosen.Protocol)
        {
            problem = $"peer chose proposal #{chosen.Number} ({chosen.Protocol}), which was not offered";
            return false;
        }

        var spec = sent[chosen.Number - 1];
        foreach (var type in Types)
        {
            var offered = spec.OfType(type).ToList();
            var picked = chosen.OfType(type).ToList();
            if (offered.Count == 0 && picked.Count == 0)
            {
                continue;
            }

            if (picked.Count != 1 || !offered.Contains(picked[0]))
            {
                problem = $"peer's choice for {type} ({string.Join(", ", picked.Select(AlgorithmKeywords.DisplayName))}) is not exactly one of the offered " +
                    $"{string.Join(", ", offered.Select(AlgorithmKeywords.DisplayName))}";
                return false;
            }
        }

        problem = "";
        return true;
    }

    private static bool TryMatch(ProposalSpec spec, Proposal offered, KeyExchangeMethod? preferredKe, out Proposal selected, out string reason)
    {
        var picked = new List<Transform>(Types.Length);
        foreach (var type in Types)
        {
            var ourAlgorithms = spec.OfType(type).ToList();
            // A lone INTEG NONE means "no integrity" (RFC 7296 §3.3.3), the same as omitting it.
            var theirAlgorithms = offered.OfType(type)
                .Where(t => !t.HasOtherAttributes && !(type == TransformType.INTEG && t.Id == (ushort)IntegrityAlgorithm.NONE))
                .ToList();
            if (ourAlgorithms.Count == 0 && theirAlgorithms.Count == 0)
            {
                continue;
            }

            var choice = type == TransformType.KE && preferredKe is { } ke && ourAlgorithms.Contains(Transform.KeyExchange(ke)) && theirAlgorithms.Contains(Transform.KeyExchange(ke))
                ? Transform.KeyExchange(ke)
                : ourAlgorithms.FirstOrDefault(theirAlgorithms.Contains);
            if (choice == default)
            {
                reason = $"{type} configured {Names(ourAlgorithms)}, received {Names(theirAlgorithms)}";
                selected = null!;
                return false;
            }

            picked.Add(choice);
        }

        selected = new Proposal(offered.Number, offered.Protocol, offered.Spi, [.. picked]);
        reason = "";
        return true;
    }

    private static string Names(List<Transform> transforms) => transforms.Count == 0 ? "none" : string.Join("/", transforms.Select(AlgorithmKeywords.DisplayName));
}
