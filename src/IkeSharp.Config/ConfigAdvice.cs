using IkeSharp.Engine.Configuration;
using IkeSharp.Protocol;

namespace IkeSharp.Config;

/// <summary>
/// Weak but working choices worth a warning (RFC 8247's guidance): they are accepted, because third
/// parties still insist on them, but the operator should know.
/// </summary>
public static class ConfigAdvice
{
    public const int MinimumPskLength = 20;

    public static IReadOnlyList<string> Warnings(DaemonSettings settings)
    {
        var warnings = new List<string>();
        foreach (var tunnel in settings.Engine.Tunnels)
        {
            var proposals = (settings.ExplicitProposals.Contains($"{tunnel.Name}.ike_proposals") ? tunnel.IkeProposals : [])
                .Concat(tunnel.Children.Where(c => settings.ExplicitProposals.Contains($"{tunnel.Name}.children.{c.Name}.esp_proposals")).SelectMany(c => c.EspProposals)).ToList();
            var transforms = proposals.SelectMany(p => p.Transforms).Distinct().ToList();
            foreach (var group in transforms.Where(t => t.Type == TransformType.KE && (KeyExchangeMethod)t.Id is KeyExchangeMethod.MODP_768 or KeyExchangeMethod.MODP_1024 or KeyExchangeMethod.MODP_1536))
            {
                warnings.Add($"{tunnel.Name}: {(KeyExchangeMethod)group.Id} is too weak (RFC 8247 §2.4: MUST NOT / SHOULD NOT); prefer ecp256, x25519 or modp2048+");
            }

            if (transforms.Any(t => t is { Type: TransformType.INTEG, Id: (ushort)IntegrityAlgorithm.AUTH_HMAC_SHA1_96 } or { Type: TransformType.PRF, Id: (ushort)PseudorandomFunction.PRF_HMAC_SHA1 }))
            {
                warnings.Add($"{tunnel.Name}: SHA-1 is offered (RFC 8247 allows it, but recommends SHA-2); prefer sha256 where the peer supports it");
            }

            if (transforms.Any(t => t is { Type: TransformType.ENCR, Id: (ushort)EncryptionAlgorithm.ENCR_3DES }))
            {
                warnings.Add($"{tunnel.Name}: 3DES is offered (RFC 8247: SHOULD NOT); prefer aes256 or aes256gcm16");
            }

            if (tunnel.LocalAuth.Kind == AuthKind.Psk && tunnel.LocalAuth.PreSharedKey.Length < MinimumPskLength)
            {
                warnings.Add($"{tunnel.Name}: the pre-shared key has only {tunnel.LocalAuth.PreSharedKey.Length} octets; use at least {MinimumPskLength} random characters");
            }
        }

        return warnings;
    }
}
