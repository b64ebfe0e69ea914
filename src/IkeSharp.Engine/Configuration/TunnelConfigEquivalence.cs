using System.Security.Cryptography;

namespace IkeSharp.Engine.Configuration;

/// <summary>
/// Whether two loads of a tunnel's configuration mean the same tunnel, so a reload can leave its
/// SAs alone. Records compare arrays and keys by reference, so this compares what they hold:
/// addresses, identities, proposals, selectors, timers, the pre-shared key's octets, the public
/// halves of keys and the certificates' thumbprints.
/// </summary>
public static class TunnelConfigEquivalence
{
    public static bool Equivalent(TunnelConfig a, TunnelConfig b)
        => EquivalentForSas(a, b)
            && a.CloseAction == b.CloseAction
            && a.MakeBeforeBreak == b.MakeBeforeBreak
            && a.KeyingTries == b.KeyingTries
            && a.RemoteAuth.RevocationLists.Select(l => l.Fingerprint).SequenceEqual(b.RemoteAuth.RevocationLists.Select(l => l.Fingerprint))
            && a.MaxChildSas == b.MaxChildSas
            && a.MaxTrafficSelectors == b.MaxTrafficSelectors;

    /// <summary>
    /// Whether the SAs made under <paramref name="a"/> are what <paramref name="b"/> would make: the
    /// two differ at most in what the tunnel decides once an SA ends or is reauthenticated
    /// (close_action, make_before_break, keyingtries) or in what the next authentication or Child SA
    /// is checked against (CRLs, limits), which a reload changes without a restart.
    /// </summary>
    public static bool EquivalentForSas(TunnelConfig a, TunnelConfig b)
        => a.Name == b.Name
            && Equals(a.LocalAddress, b.LocalAddress)
            && a.RemoteAddresses.SequenceEqual(b.RemoteAddresses)
            && a.RemotePort == b.RemotePort
            && Same(a.LocalIdentity, b.LocalIdentity)
            && (a.RemoteIdentity is null ? b.RemoteIdentity is null : b.RemoteIdentity is { } r && Same(a.RemoteIdentity.Value, r))
            && Same(a.LocalAuth, b.LocalAuth)
            && Same(a.RemoteAuth, b.RemoteAuth)
            && a.IkeProposals.Select(p => p.ToString()).SequenceEqual(b.IkeProposals.Select(p => p.ToString()))
            && a.Children.Length == b.Children.Length
            && a.Children.Zip(b.Children).All(c => Same(c.First, c.Second))
            && a.StartAction == b.StartAction
            && a.DpdDelay == b.DpdDelay
            && a.DpdAction == b.DpdAction
            && a.ForceEncapsulation == b.ForceEncapsulation
            && a.Retransmit == b.Retransmit
            && a.NatKeepalive == b.NatKeepalive
            && a.IkeLifetime == b.IkeLifetime
            && a.AllowLegacyGroups == b.AllowLegacyGroups;

    private static bool Same(Protocol.Identity a, Protocol.Identity b) => a.Type == b.Type && a.Data.Span.SequenceEqual(b.Data.Span);

    private static bool Same(ChildConfig a, ChildConfig b)
        => a.Name == b.Name
            && a.LocalTrafficSelectors.Select(t => t.ToString()).SequenceEqual(b.LocalTrafficSelectors.Select(t => t.ToString()))
            && a.RemoteTrafficSelectors.Select(t => t.ToString()).SequenceEqual(b.RemoteTrafficSelectors.Select(t => t.ToString()))
            && a.EspProposals.Select(p => p.ToString()).SequenceEqual(b.EspProposals.Select(p => p.ToString()))
            && a.Lifetime == b.Lifetime;

    private static bool Same(AuthConfig a, AuthConfig b)
        => a.Kind == b.Kind
            && CryptographicOperations.FixedTimeEquals(a.PreSharedKey.Span, b.PreSharedKey.Span)
            && PublicKey(a.PrivateKey).SequenceEqual(PublicKey(b.PrivateKey))
            && a.Certificate?.Thumbprint == b.Certificate?.Thumbprint
            && a.TrustAnchors.Select(c => c.Thumbprint).SequenceEqual(b.TrustAnchors.Select(c => c.Thumbprint))
            && a.TrustedPublicKeys.Select(PublicKey).Select(Convert.ToHexString).SequenceEqual(b.TrustedPublicKeys.Select(PublicKey).Select(Convert.ToHexString));

    private static byte[] PublicKey(AsymmetricAlgorithm? key) => key?.ExportSubjectPublicKeyInfo() ?? [];
}
