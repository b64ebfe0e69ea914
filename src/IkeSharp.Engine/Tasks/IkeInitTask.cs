using System.Security.Cryptography;
using IkeSharp.Crypto;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Engine.Sa;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tasks;

/// <summary>
/// IKE_SA_INIT (RFC 7296 §1.2): proposals, key exchange, nonces and NAT detection (§2.23), with the
/// initiator's COOKIE (§2.6) and INVALID_KE_PAYLOAD (§1.2) retries.
/// <code>
/// HDR, SAi1, KEi, Ni, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)  -->
///                  &lt;--  HDR, SAr1, KEr, Nr, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP)
/// </code>
/// </summary>
internal sealed class IkeInitTask(IkeSa sa, bool initiator) : IkeTask(sa, initiator)
{
    private const int NonceLength = 32;
    private const int MaxKeyExchangeRetries = 3;
    private const int MaxCookieResponses = 5;
    private const int MaxCookieLength = 64;

    private KeyExchange? _keyExchange;
    private byte[] _publicValue = [];
    private byte[] _nonce = [];
    private ReadOnlyMemory<byte> _cookie;
    private int _keRetries;
    private int _cookieResponses;
    private Proposal? _selected;

    public override ExchangeType Exchange => ExchangeType.IKE_SA_INIT;

    public override void Build(MessageBuilder message)
    {
        if (!Initiator && Error is { } error)
        {
            message.Add(error.Notify == NotifyType.INVALID_KE_PAYLOAD
                ? NotifyPayload.InvalidKePayload(_selected!.OfType(TransformType.KE).Select(t => (KeyExchangeMethod)t.Id).Single())
                : NotifyPayload.Create(error.Notify ?? NotifyType.NO_PROPOSAL_CHOSEN));
            return;
        }

        if (Initiator)
        {
            if (_keyExchange is null)
            {
                CreateKeyExchange(FirstKeyExchange());
            }

            if (_nonce.Length == 0)
            {
                _nonce = RandomNumberGenerator.GetBytes(NonceLength);
            }

            var proposals = Sa.Tunnel.IkeProposals.Select((p, i) => p.ToProposal((byte)(i + 1), default));
            message.Add(new SecurityAssociationPayload([.. proposals]));
        }
        else
        {
            message.Add(new SecurityAssociationPayload([_selected!]));
        }

        message.Add(new KeyExchangePayload(_keyExchange!.Method, _publicValue));
        message.Add(new NoncePayload(_nonce));
        AddNatDetection(message);
        if (Initiator || Sa.PeerSignatureHashes.Count > 0)
        {
            // RFC 7427 §4: announce the hashes we verify; a responder only answers an initiator that did.
            message.Add(NotifyPayload.SignatureHashAlgorithms(SignatureHashNegotiation.Supported));
        }

        if (!Initiator && !Sa.Tunnel.RemoteAuth.TrustAnchors.IsEmpty)
        {
            // §1.2: the responder may ask for certificates right away, as strongSwan does.
            message.Add(new CertificateRequestPayload(CertificateEncoding.X509_CERTIFICATE_SIGNATURE, CertificateValidation.AuthorityHashes(Sa.Tunnel.RemoteAuth.TrustAnchors)));
        }

        if (!_cookie.IsEmpty)
        {
            message.AddFirst(NotifyPayload.Create(NotifyType.COOKIE, _cookie));
        }
    }

    public override TaskResult Process(IkeMessage message) => Initiator ? ProcessResponse(message) : ProcessRequest(message);

    public override void Abort() => _keyExchange?.Dispose();

    private TaskResult ProcessRequest(IkeMessage request)
    {
        var sa = request.Find<SecurityAssociationPayload>()!;
        var ke = request.Find<KeyExchangePayload>()!;
        _selected = ProposalSelector.Select(Sa.Tunnel.IkeProposals, sa.Proposals, ke.Method, out var mismatch);
        if (_selected is null)
        {
            return Fail(IkeError.IkeSa(mismatch, NotifyType.NO_PROPOSAL_CHOSEN));
        }

        var group = (KeyExchangeMethod)_selected.OfType(TransformType.KE).Single().Id;
        if (group != ke.Method)
        {
            return Fail(IkeError.IkeSa($"peer sent a KE payload for {ke.Method} but the selected proposal uses {group}", NotifyType.INVALID_KE_PAYLOAD));
        }

        Sa.NonceI = request.Find<NoncePayload>()!.Data.ToArray();
        _nonce = RandomNumberGenerator.GetBytes(NonceLength);
        Sa.NonceR = _nonce;
        CreateKeyExchange(group);
        if (DeriveKeys(ke, _selected) is { } failure)
        {
            return failure;
        }

        DetectNat(request, responderSpi: 0);
        Sa.PeerSignatureHashes = request.FindNotify(NotifyType.SIGNATURE_HASH_ALGORITHMS)?.HashAlgorithms() ?? [];
        return TaskResult.Done;
    }

    private TaskResult ProcessResponse(IkeMessage response)
    {
        if (response.FindNotify(NotifyType.COOKIE) is { } cookie)
        {
            // §2.6: answered each time, with the latest COOKIE: the responder may change its secret between
            // two (a new COOKIE), and a retransmitted request gets the same COOKIE twice. A few times only.
            if (cookie.Data.Length is 0 or > MaxCookieLength || ++_cookieResponses > MaxCookieResponses)
            {
                return Fail(IkeError.IkeSa(cookie.Data.Length is 0 or > MaxCookieLength
                    ? $"peer sent a COOKIE of {cookie.Data.Length} octets (RFC 7296 §3.10.1 allows 1 to {MaxCookieLength})"
                    : $"peer still asks for a COOKIE after {MaxCookieResponses} retries with one"));
            }

            EngineLog.CookieRequested(Sa.Logger);
            _cookie = cookie.Data.ToArray();
            return TaskResult.Retry;
        }

        if (response.FindNotify(NotifyType.INVALID_KE_PAYLOAD) is { RequestedKeyExchange: { } wanted })
        {
            var offered = Sa.Tunnel.IkeProposals.SelectMany(p => p.OfType(TransformType.KE)).Any(t => t.Id == (ushort)wanted);
            if (!offered || ++_keRetries > MaxKeyExchangeRetries)
            {
                return Fail(IkeError.IkeSa($"peer asks for key exchange method {wanted}, which is {(offered ? "offered, but retries are exhausted" : "not in the configured proposals")}"));
            }

            EngineLog.InvalidKeRetry(Sa.Logger, wanted.ToString(), _keyExchange!.Method.ToString());
            _keyExchange.Dispose();
            CreateKeyExchange(wanted);
            return TaskResult.Retry;
        }

        if (FirstErrorNotify(response) is { } error)
        {
            return Fail(IkeError.IkeSa($"peer answered {error.NotifyType}" + (error.NotifyType == NotifyType.NO_PROPOSAL_CHOSEN
                ? $"; configured {string.Join(", ", Sa.Tunnel.IkeProposals)}"
                : "")));
        }

        if (response.Header.ResponderSpi == 0 || response.Find<SecurityAssociationPayload>() is not { Proposals.Length: 1 } sa
            || response.Find<KeyExchangePayload>() is not { } ke || response.Find<NoncePayload>() is not { } nonce)
        {
            return Fail(IkeError.IkeSa("IKE_SA_INIT response lacks SA, KE, Nonce or the responder SPI"));
        }

        var chosen = sa.Proposals[0];
        if (!ProposalSelector.VerifyChosen(Sa.Tunnel.IkeProposals, chosen, out var problem))
        {
            return Fail(IkeError.IkeSa(problem));
        }

        if (ke.Method != _keyExchange!.Method)
        {
            return Fail(IkeError.IkeSa($"peer's KE payload uses {ke.Method}, we sent {_keyExchange.Method}"));
        }

        Sa.ResponderSpi = response.Header.ResponderSpi;
        Sa.NonceI = _nonce;
        Sa.NonceR = nonce.Data.ToArray();
        if (DeriveKeys(ke, chosen) is { } failure)
        {
            return failure;
        }

        DetectNat(response, Sa.ResponderSpi);
        Sa.PeerSignatureHashes = response.FindNotify(NotifyType.SIGNATURE_HASH_ALGORITHMS)?.HashAlgorithms() ?? [];
        if (Sa.UdpEncapsulation)
        {
            Sa.FloatToNatTraversalPort();
        }

        Sa.SetState(IkeSaState.Authenticating, $"IKE_SA_INIT done, {Sa.Proposal}");
        return TaskResult.Done;
    }

    /// <summary>DH, SKEYSEED and SK_* (§2.14); returns a failure when the peer's public value is invalid.</summary>
    private TaskResult? DeriveKeys(KeyExchangePayload ke, Proposal chosen)
        => IkeSaKeying.Establish(Sa, _keyExchange!, ke, chosen, (suite, shared) => IkeKeyDerivation.DeriveIkeSaKeys(suite, shared.Span, Sa.NonceI, Sa.NonceR, Sa.InitiatorSpi, Sa.ResponderSpi)) is { } problem
            ? Fail(IkeError.IkeSa(problem, NotifyType.INVALID_SYNTAX))
            : null;

    private void AddNatDetection(MessageBuilder message)
    {
        var responderSpi = Initiator ? 0 : Sa.ResponderSpi;
        // strongSwan's encap=yes: a source hash that cannot match makes the peer see a NAT, so ESP goes in UDP.
        var source = Sa.Tunnel.ForceEncapsulation ? RandomNumberGenerator.GetBytes(NatDetection.HashLength) : NatDetection.Hash(Sa.InitiatorSpi, responderSpi, Sa.Local);
        message.Add(NotifyPayload.Create(NotifyType.NAT_DETECTION_SOURCE_IP, source));
        message.Add(NotifyPayload.Create(NotifyType.NAT_DETECTION_DESTINATION_IP, NatDetection.Hash(Sa.InitiatorSpi, responderSpi, Sa.Remote)));
    }

    /// <summary>§2.23: our address in the peer's DESTINATION hash, the peer's in one of its SOURCE hashes.</summary>
    private void DetectNat(IkeMessage message, ulong responderSpi)
    {
        var destination = message.FindNotify(NotifyType.NAT_DETECTION_DESTINATION_IP);
        var sources = message.FindAll<NotifyPayload>().Where(n => n.NotifyType == NotifyType.NAT_DETECTION_SOURCE_IP).ToList();
        if (destination is null || sources.Count == 0)
        {
            return; // the peer does not support NAT-T
        }

        Sa.NatLocal = !destination.Data.Span.SequenceEqual(NatDetection.Hash(Sa.InitiatorSpi, responderSpi, Sa.Local));
        var peerHash = NatDetection.Hash(Sa.InitiatorSpi, responderSpi, Sa.Remote);
        Sa.NatRemote = !sources.Any(s => s.Data.Span.SequenceEqual(peerHash));
        if (Sa.NatLocal || Sa.NatRemote || Sa.Tunnel.ForceEncapsulation)
        {
            EngineLog.NatDetected(Sa.Logger, $"local host is {(Sa.NatLocal ? "" : "not ")}behind NAT, remote host is {(Sa.NatRemote ? "" : "not ")}behind NAT" +
                (Sa.Tunnel.ForceEncapsulation ? ", UDP encapsulation forced" : ""));
        }
    }

    private void CreateKeyExchange(KeyExchangeMethod method)
    {
        _keyExchange = KeyExchange.Create(method, Sa.Tunnel.AllowLegacyGroups);
        _publicValue = _keyExchange.PublicValue.ToArray();
    }

    private KeyExchangeMethod FirstKeyExchange()
        => (KeyExchangeMethod)Sa.Tunnel.IkeProposals[0].OfType(TransformType.KE).First().Id;
}
