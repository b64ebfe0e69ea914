using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IkeSharp.Crypto;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Engine.Sa;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tasks;

/// <summary>
/// IKE_AUTH authentication (RFC 7296 §1.2, §2.15): identities and AUTH with a pre-shared key or a
/// signature (RFC 7427 DIGITAL_SIGNATURE when the peer announced SIGNATURE_HASH_ALGORITHMS).
/// <code>
/// HDR, SK { IDi, N(INITIAL_CONTACT), [IDr,] AUTH, ... }  -->
///                                  &lt;--  HDR, SK { IDr, AUTH, ... }
/// </code>
/// </summary>
internal sealed class IkeAuthTask(IkeSa sa, bool initiator) : IkeTask(sa, initiator)
{
    public override ExchangeType Exchange => ExchangeType.IKE_AUTH;

    public override void Build(MessageBuilder message)
    {
        if (Error is { } error)
        {
            message.Add(NotifyPayload.Create(error.Notify ?? NotifyType.AUTHENTICATION_FAILED));
            return;
        }

        var id = new IdentificationPayload(Initiator ? PayloadType.IDi : PayloadType.IDr, Sa.Tunnel.LocalIdentity);
        message.Add(id);
        if (Sa.Tunnel.LocalAuth.Certificate is { } certificate)
        {
            message.Add(new CertificatePayload(CertificateEncoding.X509_CERTIFICATE_SIGNATURE, certificate.RawData));
        }

        if (Initiator)
        {
            // §2.4: only as the one IKE SA between us (not while reauthenticating, make-before-break).
            if (!Sa.Owner.HasOtherSa(Sa))
            {
                message.Add(NotifyPayload.Create(NotifyType.INITIAL_CONTACT));
            }

            if (!Sa.Tunnel.RemoteAuth.TrustAnchors.IsEmpty)
            {
                message.Add(new CertificateRequestPayload(CertificateEncoding.X509_CERTIFICATE_SIGNATURE, CertificateValidation.AuthorityHashes(Sa.Tunnel.RemoteAuth.TrustAnchors)));
            }

            if (Sa.ExpectedPeerIdentity is { } expected)
            {
                message.Add(new IdentificationPayload(PayloadType.IDr, expected));
            }
        }

        message.Add(CreateAuth(id));
    }

    public override TaskResult Process(IkeMessage message)
    {
        // Child SA errors (TS_UNACCEPTABLE, NO_PROPOSAL_CHOSEN...) come with IDr and AUTH and leave the
        // IKE SA up (§1.2); an error without them means authentication itself failed.
        if (Initiator && message.Find<AuthenticationPayload>() is null && FirstErrorNotify(message) is { } notify)
        {
            return Fail(IkeError.IkeSa(notify.NotifyType == NotifyType.AUTHENTICATION_FAILED
                ? $"peer rejected our authentication (AUTHENTICATION_FAILED): check that it expects our ID '{Sa.Tunnel.LocalIdentity}' and the same {Sa.Tunnel.LocalAuth}"
                : $"peer answered {notify.NotifyType}"));
        }

        var idType = Initiator ? PayloadType.IDr : PayloadType.IDi;
        if (message.FindAll<IdentificationPayload>().FirstOrDefault(p => p.Type == idType) is not { } peerId
            || message.Find<AuthenticationPayload>() is not { } auth)
        {
            return AuthenticationFailed("(none)", $"{message.Exchange} lacks {idType} or AUTH (EAP is not supported)");
        }

        if (!Initiator && SelectTunnelFor(peerId.Identity, message) is { } unmatched)
        {
            return AuthenticationFailed(peerId.Identity.ToString(), unmatched);
        }

        if (Initiator && Sa.ExpectedPeerIdentity is { } expected && !expected.Matches(peerId.Identity))
        {
            return AuthenticationFailed(peerId.Identity.ToString(), $"peer identifies as '{peerId.Identity}' ({peerId.Identity.Type}), configured '{expected}' ({expected.Type})");
        }

        if (VerifyAuth(peerId, auth, message) is { } problem)
        {
            return AuthenticationFailed(peerId.Identity.ToString(), problem);
        }

        Sa.PeerIdentity = peerId.Identity;
        Sa.InitialContactReceived = !Initiator && message.FindNotify(NotifyType.INITIAL_CONTACT) is not null;
        EngineLog.Authenticated(Sa.Logger, peerId.Identity.ToString(), Sa.Tunnel.RemoteAuth.ToString());
        Sa.SetState(IkeSaState.Established, $"IKE_SA {Sa.Tunnel.Name}[{Sa.SpiText}] established between {Sa.Local}[{Sa.Tunnel.LocalIdentity}]...{Sa.Remote}[{peerId.Identity}]");
        return TaskResult.Done;
    }

    private TaskResult AuthenticationFailed(string peerId, string reason)
    {
        EngineLog.AuthenticationFailed(Sa.Logger, peerId, reason);
        return Fail(IkeError.IkeSa(reason, NotifyType.AUTHENTICATION_FAILED));
    }

    /// <summary>
    /// The responder picks the tunnel by the initiator's identity among those matching its addresses;
    /// IKE_SA_INIT was negotiated under the first of them, so the one picked must accept that IKE
    /// proposal too (it may allow other algorithms, or no legacy group). Returns why none fits, or null.
    /// </summary>
    private string? SelectTunnelFor(Identity peer, IkeMessage request)
    {
        var idr = request.FindAll<IdentificationPayload>().FirstOrDefault(p => p.Type == PayloadType.IDr)?.Identity;
        var candidates = Sa.Context.Options.Tunnels
            .Where(t => IkeEngine.AddressesMatch(t, Sa.Local, Sa.Remote))
            .Where(t => t.RemoteIdentity is null || t.RemoteIdentity.Value.Matches(peer))
            .Where(t => idr is null || t.LocalIdentity.Matches(idr.Value))
            .OrderBy(t => t.RemoteIdentity is null ? 1 : 0)
            .ToList();
        if (candidates.Count == 0)
        {
            return $"no tunnel accepts identity '{peer}' ({peer.Type}) from {Sa.Remote.Address}; " +
                $"configured remote identities: {string.Join(", ", Sa.Context.Options.Tunnels.Select(t => $"{t.Name}={t.RemoteIdentity?.ToString() ?? "%any"}"))}";
        }

        var acceptable = candidates.Where(t => ProposalSelector.Select(t.IkeProposals, [Sa.Negotiated!], preferredKeyExchange: null, out _) is not null).ToList();
        var current = acceptable.FirstOrDefault(t => t.Name == Sa.Tunnel.Name) ?? acceptable.FirstOrDefault();
        if (current is null)
        {
            return $"tunnel{(candidates.Count > 1 ? "s" : "")} {string.Join(", ", candidates.Select(t => $"'{t.Name}' ({string.Join(", ", t.IkeProposals)})"))} " +
                $"for identity '{peer}' do{(candidates.Count > 1 ? "" : "es")} not allow the IKE proposal {Sa.Proposal} negotiated in IKE_SA_INIT under tunnel '{Sa.Tunnel.Name}'";
        }

        Sa.Tunnel = current;
        return null;
    }

    /// <summary>Signed octets for our side: our IKE_SA_INIT message, the peer's nonce, prf(SK_p, our ID) (§2.15).</summary>
    private byte[] Octets(bool ours, IdentificationPayload id)
    {
        var fromInitiator = ours == Initiator;
        var realMessage = fromInitiator ? Sa.InitRequest : Sa.InitResponse;
        var nonce = fromInitiator ? Sa.NonceR : Sa.NonceI;
        var skP = fromInitiator ? Sa.Keys!.SkPi : Sa.Keys!.SkPr;
        return AuthenticationOctets.Build(realMessage, nonce, Sa.Prf!, skP.Span, id.EncodeBody());
    }

    private AuthenticationPayload CreateAuth(IdentificationPayload id)
    {
        var octets = Octets(ours: true, id);
        var local = Sa.Tunnel.LocalAuth;
        if (local.Kind == AuthKind.Psk)
        {
            var value = new byte[Sa.Prf!.OutputSize];
            PskAuthentication.Compute(Sa.Prf, local.PreSharedKey.Span, octets, value);
            return new AuthenticationPayload(AuthenticationMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE, value);
        }

        var key = local.PrivateKey ?? throw new InvalidOperationException($"tunnel {Sa.Tunnel.Name} has public key authentication but no private key");
        if (Sa.PeerSignatureHashes.Count > 0
            && SignatureHashNegotiation.SelectScheme(key, Sa.PeerSignatureHashes, SignatureHashNegotiation.Supported, useRsaPss: false) is { } scheme)
        {
            var signer = new SignatureSigner(key, AuthenticationMethod.DIGITAL_SIGNATURE, scheme);
            return new AuthenticationPayload(AuthenticationMethod.DIGITAL_SIGNATURE, signer.Sign(octets));
        }

        var method = key switch
        {
            ECDsa { KeySize: 256 } => AuthenticationMethod.ECDSA_SHA_256_P_256,
            ECDsa { KeySize: 384 } => AuthenticationMethod.ECDSA_SHA_384_P_384,
            ECDsa => AuthenticationMethod.ECDSA_SHA_512_P_521,
            _ => AuthenticationMethod.RSA_DIGITAL_SIGNATURE,
        };
        return new AuthenticationPayload(method, new SignatureSigner(key, method).Sign(octets));
    }

    private string? VerifyAuth(IdentificationPayload peerId, AuthenticationPayload auth, IkeMessage message)
    {
        var octets = Octets(ours: false, peerId);
        var remote = Sa.Tunnel.RemoteAuth;
        if (remote.Kind == AuthKind.Psk)
        {
            if (auth.Method != AuthenticationMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE)
            {
                return $"peer authenticates with {auth.Method}, tunnel '{Sa.Tunnel.Name}' expects a pre-shared key";
            }

            return PskAuthentication.Verify(Sa.Prf!, remote.PreSharedKey.Span, octets, auth.Data.Span)
                ? null
                : $"AUTH does not match the pre-shared key configured for tunnel '{Sa.Tunnel.Name}' ({remote.PreSharedKey.Length} bytes): the peer uses a different PSK";
        }

        if (auth.Method == AuthenticationMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE)
        {
            return $"peer authenticates with a pre-shared key, tunnel '{Sa.Tunnel.Name}' expects a public key signature";
        }

        var keys = remote.TrustedPublicKeys;
        if (!remote.TrustAnchors.IsEmpty)
        {
            var certificate = CertificateValidation.Validate([.. message.FindAll<CertificatePayload>()], remote, peerId.Identity, Sa.Context.Now, out var certificateProblem);
            if (certificate is null)
            {
                return certificateProblem;
            }

            try
            {
                keys = [(AsymmetricAlgorithm?)certificate.GetRSAPublicKey() ?? certificate.GetECDsaPublicKey()!];
            }
            catch (CryptographicException e)
            {
                return $"certificate '{certificate.Subject}' has a key IkeSharp cannot use: {e.Message}";
            }
        }

        string? failure = null;
        foreach (var key in keys)
        {
            if (SignatureVerifier.AcceptingAll.Verify(auth.Method, key, octets, auth.Data.Span, out failure))
            {
                return null;
            }
        }

        return keys.Length == 0
            ? $"tunnel '{Sa.Tunnel.Name}' has no trusted public key or CA for the peer"
            : $"{auth.Method} signature does not verify with the {keys.Length} trusted key(s) of tunnel '{Sa.Tunnel.Name}': {failure}";
    }
}
