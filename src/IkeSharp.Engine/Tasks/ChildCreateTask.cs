using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Security.Cryptography;
using IkeSharp.Crypto;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Engine.Sa;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tasks;

/// <summary>
/// Creates one Child SA, inside IKE_AUTH (RFC 7296 §1.2) or in its own CREATE_CHILD_SA exchange
/// (§1.3.1, with its own nonces and an optional KE for PFS), or replaces one (§1.3.3: REKEY_SA names
/// the SA by the SPI its initiator receives on; same selectors and reqid, new keys). Failures are
/// Child-scoped: the IKE SA stays up (§1.2: "the IKE SA is still created").
/// <code>
/// HDR, SK { ..., SAi2, TSi, TSr }  -->                     (IKE_AUTH)
/// HDR, SK { [N(REKEY_SA),] SA, Ni, [KEi,] TSi, TSr }  -->  (CREATE_CHILD_SA)
///                              &lt;--  HDR, SK { SA, [Nr, KEr,] TSi, TSr }
/// </code>
/// A rekey is make-before-break: both sides install the new pair while the old one still carries
/// traffic (the datapaths keep sending on the older SA of a reqid until it is removed), then the
/// rekey's initiator deletes the old pair.
/// </summary>
internal sealed class ChildCreateTask(IkeSa sa, bool initiator, ChildConfig? child, ExchangeType exchange, ChildSa? rekeying = null, KeyExchangeMethod? group = null) : SplitRoleTask(sa, initiator)
{
    private const int NonceLength = 32;

    private ChildConfig? _child = child;
    private ChildSa? _rekeyed = rekeying;
    private uint _inboundSpi;
    private byte[] _nonce = [];
    private KeyExchange? _keyExchange;
    private Proposal? _selected;
    private List<TrafficSelector> _tsi = [];
    private List<TrafficSelector> _tsr = [];
    private bool _skipped;
    private ChildSa? _negotiated;
    private byte[] _nonceI = [];
    private byte[] _nonceR = [];

    /// <summary>The pair this task rekeys, if it is a rekey.</summary>
    public ChildSa? Replaces => _rekeyed;

    /// <summary>The child it creates (for a responder, once the request named it).</summary>
    public ChildConfig? Child => _child;

    /// <summary>IKE_AUTH for the first child of a tunnel, CREATE_CHILD_SA for the others.</summary>
    public override ExchangeType Exchange { get; } = exchange;

    public override void Abort()
    {
        _keyExchange?.Dispose();
        if (Initiator && _rekeyed is not null && _negotiated is null)
        {
            Sa.ForgetRekey(_rekeyed);
        }
    }

    /// <summary>A queued rekey of a pair that was replaced (the peer's rekey won) or that we are closing has nothing left to do.</summary>
    public override bool Obsolete => Initiator && _rekeyed is not null && !Sa.MayRekey(_rekeyed);

    /// <summary>A queued creation or rekey goes on with the IKE SA's successor, which now holds the pair.</summary>
    public override IkeTask? MoveTo(IkeSa successor)
        => Initiator && Exchange == ExchangeType.CREATE_CHILD_SA ? new ChildCreateTask(successor, initiator: true, _child, Exchange, _rekeyed, group) : null;

    protected override void BuildRequest(MessageBuilder message)
    {
        if (_child is null)
        {
            return; // a tunnel without children: childless IKE_AUTH (RFC 6023 peers accept it)
        }

        _inboundSpi = _inboundSpi != 0 ? _inboundSpi : Sa.Context.Spis.AllocateInboundSpi(Sa.Local.Address, Sa.Remote.Address);
        var spi = SpiBytes(_inboundSpi);
        if (_rekeyed is not null)
        {
            message.Add(new NotifyPayload(ProtocolId.ESP, SpiBytes(_rekeyed.InboundSpi), NotifyType.REKEY_SA, default));
        }

        message.Add(new SecurityAssociationPayload([.. Offered(_child).Select((p, i) => p.ToProposal((byte)(i + 1), spi))]));
        if (message.Exchange == ExchangeType.CREATE_CHILD_SA)
        {
            _nonce = RandomNumberGenerator.GetBytes(NonceLength);
            message.Add(new NoncePayload(_nonce));
            // The first proposal's group, or the one the peer asked for with INVALID_KE_PAYLOAD.
            var first = _child.EspProposals[0].OfType(TransformType.KE).FirstOrDefault() is { Type: TransformType.KE } ke ? (KeyExchangeMethod?)ke.Id : null;
            if ((group ?? first) is { } method)
            {
                _keyExchange ??= KeyExchange.Create(method, Sa.Tunnel.AllowLegacyGroups);
                message.Add(new KeyExchangePayload(_keyExchange.Method, _keyExchange.PublicValue.ToArray()));
            }
        }

        // A rekey keeps the selectors the SA was narrowed to.
        message.Add(new TrafficSelectorPayload(PayloadType.TSi, _rekeyed?.LocalTrafficSelectors ?? _child.LocalTrafficSelectors));
        message.Add(new TrafficSelectorPayload(PayloadType.TSr, _rekeyed?.RemoteTrafficSelectors ?? _child.RemoteTrafficSelectors));
    }

    protected override TaskResult ProcessResponse(IkeMessage response)
    {
        if (_child is null || Sa.State != IkeSaState.Established)
        {
            return TaskResult.Done;
        }

        // §1.3: the peer wants another of the groups we offered: a new exchange with a KE of that group.
        if (group is null && _keyExchange is not null && response.FindNotify(NotifyType.INVALID_KE_PAYLOAD) is { RequestedKeyExchange: { } wanted }
            && Offered(_child).Any(p => p.OfType(TransformType.KE).Any(t => t.Type == TransformType.KE && (KeyExchangeMethod)t.Id == wanted)))
        {
            EngineLog.ChildKeyExchangeRetry(Sa.Logger, _child.Name, _keyExchange.Method.ToString(), wanted.ToString());
            Sa.Tasks.Queue(new ChildCreateTask(Sa, initiator: true, _child, Exchange, _rekeyed, wanted));
            return TaskResult.Done;
        }

        if (_rekeyed is not null && (response.FindNotify(NotifyType.TEMPORARY_FAILURE) ?? response.FindNotify(NotifyType.CHILD_SA_NOT_FOUND)) is not null)
        {
            // §2.25: the peer is rekeying the IKE SA or closing this pair: tried again shortly, or, if
            // the pair is gone by then without a replacement, created again (for a tunnel kept up).
            Sa.PostponeChildRekey(_rekeyed);
            return TaskResult.Done;
        }

        if (FirstErrorNotify(response) is { } error)
        {
            return Fail(IkeError.Child($"CHILD_SA {_child.Name} not established: peer answered {error.NotifyType}" + error.NotifyType switch
            {
                NotifyType.TS_UNACCEPTABLE => $"; we proposed TSi {string.Join(" ", _child.LocalTrafficSelectors)} TSr {string.Join(" ", _child.RemoteTrafficSelectors)}",
                NotifyType.NO_PROPOSAL_CHOSEN => $"; configured {string.Join(", ", _child.EspProposals)}",
                _ => "",
            }, error.NotifyType));
        }

        if (response.Find<SecurityAssociationPayload>() is not { Proposals.Length: 1 } sa
            || response.FindAll<TrafficSelectorPayload>().FirstOrDefault(t => t.Type == PayloadType.TSi) is not { } tsi
            || response.FindAll<TrafficSelectorPayload>().FirstOrDefault(t => t.Type == PayloadType.TSr) is not { } tsr)
        {
            return Fail(IkeError.Child($"CHILD_SA {_child.Name}: response lacks SA, TSi or TSr"));
        }

        var chosen = sa.Proposals[0];
        if (!ProposalSelector.VerifyChosen(Offered(_child), chosen, out var problem) || chosen.Spi.Length != 4)
        {
            return Fail(IkeError.Child($"CHILD_SA {_child.Name}: {(problem.Length > 0 ? problem : "peer's SPI is not 4 octets")}"));
        }

        if (!TrafficSelectorNarrowing.IsSubset(tsi.Selectors, _child.LocalTrafficSelectors) || !TrafficSelectorNarrowing.IsSubset(tsr.Selectors, _child.RemoteTrafficSelectors))
        {
            return Fail(IkeError.Child($"CHILD_SA {_child.Name}: peer's selectors {string.Join(" ", tsi.Selectors)} === {string.Join(" ", tsr.Selectors)} are not within ours"));
        }

        var peerNonce = response.Find<NoncePayload>()?.Data.ToArray() ?? [];
        var peerKe = response.Find<KeyExchangePayload>();
        if (Exchange == ExchangeType.CREATE_CHILD_SA && peerNonce.Length == 0)
        {
            return Fail(IkeError.Child($"CHILD_SA {_child.Name}: CREATE_CHILD_SA response without a nonce"));
        }

        if (_keyExchange is not null && (peerKe is null || peerKe.Method != _keyExchange.Method))
        {
            return Fail(IkeError.Child($"CHILD_SA {_child.Name}: PFS with {_keyExchange.Method} proposed but the response's KE is {peerKe?.Method.ToString() ?? "missing"}"));
        }

        return Install(chosen, BinaryPrimitives.ReadUInt32BigEndian(chosen.Spi.Span), [.. tsi.Selectors], [.. tsr.Selectors], _nonce, peerNonce, peerKe);
    }

    protected override TaskResult ProcessRequest(IkeMessage request)
    {
        if (Exchange == ExchangeType.CREATE_CHILD_SA && (Sa.State != IkeSaState.Established || Sa.Tasks.ActiveTasks.Any(t => t is IkeRekeyTask)))
        {
            // §2.25.2: not while the IKE SA is being rekeyed or closed; the peer tries again (on the new IKE SA).
            return Fail(IkeError.Child($"the IKE SA is {(Sa.State == IkeSaState.Established ? "being rekeyed" : Sa.State.ToString().ToLowerInvariant())}: CREATE_CHILD_SA postponed", NotifyType.TEMPORARY_FAILURE));
        }

        if (Sa.State != IkeSaState.Established)
        {
            _skipped = true; // IKE_AUTH failed: its task answers for the whole exchange
            return TaskResult.Done;
        }

        if (request.Find<SecurityAssociationPayload>() is not { } sa)
        {
            _skipped = true; // childless IKE_AUTH
            return TaskResult.Done;
        }

        if (request.FindNotify(NotifyType.REKEY_SA) is { } rekey)
        {
            // §1.3.3: the SPI the peer receives on, i.e. our outbound SPI of the pair it replaces.
            _rekeyed = rekey.Protocol == ProtocolId.ESP && rekey.Spi.Length == 4
                ? Sa.Children.FirstOrDefault(c => c.OutboundSpi == BinaryPrimitives.ReadUInt32BigEndian(rekey.Spi.Span))
                : null;
            if (_rekeyed is null && rekey.Spi.Length == 4 && Sa.WaitingPredecessor?.Children.Any(c => c.OutboundSpi == BinaryPrimitives.ReadUInt32BigEndian(rekey.Spi.Span)) == true)
            {
                // The pair is still on the IKE SA this one replaces, until the nonces of our crossed IKE rekeys decide (§2.8.2).
                return Fail(IkeError.Child("the peer rekeys a Child SA that moves here once the IKE rekey collision is decided", NotifyType.TEMPORARY_FAILURE));
            }

            if (_rekeyed is null)
            {
                return Fail(IkeError.Child($"the peer rekeys a Child SA we do not have ({rekey.Protocol} SPI {Convert.ToHexStringLower(rekey.Spi.Span)})", NotifyType.CHILD_SA_NOT_FOUND));
            }

            if (Sa.IsBeingClosed(_rekeyed))
            {
                // §2.25: a pair we are closing (a collision's redundant one) is not rekeyed; the peer sees it go.
                return Fail(IkeError.Child($"the peer rekeys CHILD_SA {_rekeyed.Name} {_rekeyed.InboundSpi:x8}_i, which we are deleting", NotifyType.TEMPORARY_FAILURE));
            }
        }

        if (_rekeyed is null && Sa.Children.Count >= Sa.Tunnel.MaxChildSas)
        {
            return Fail(IkeError.Child($"tunnel '{Sa.Tunnel.Name}' allows {Sa.Tunnel.MaxChildSas} Child SAs per IKE SA (max_child_sas) and has them", NotifyType.NO_ADDITIONAL_SAS));
        }

        var tsiPayload = request.FindAll<TrafficSelectorPayload>().FirstOrDefault(t => t.Type == PayloadType.TSi);
        var tsrPayload = request.FindAll<TrafficSelectorPayload>().FirstOrDefault(t => t.Type == PayloadType.TSr);
        if (tsiPayload is null || tsrPayload is null)
        {
            return Fail(IkeError.Child("request lacks TSi or TSr", NotifyType.INVALID_SYNTAX));
        }

        // §2.9: narrow the initiator's TSi to what we allow as remote, its TSr to what we allow as local.
        // A rekey stays with the config of the SA it replaces.
        foreach (var candidate in _rekeyed is null ? Sa.Tunnel.Children.AsEnumerable() : [_rekeyed.Config])
        {
            var tsi = TrafficSelectorNarrowing.Narrow(tsiPayload.Selectors, candidate.RemoteTrafficSelectors);
            var tsr = TrafficSelectorNarrowing.Narrow(tsrPayload.Selectors, candidate.LocalTrafficSelectors);
            if (tsi.Count > 0 && tsr.Count > 0)
            {
                (_child, _tsi, _tsr) = (candidate, tsi, tsr);
                break;
            }
        }

        if (_child is not null && Math.Max(_tsi.Count, _tsr.Count) > Sa.Tunnel.MaxTrafficSelectors)
        {
            return Fail(IkeError.Child(
                $"CHILD_SA {_child.Name}: {_tsi.Count} TSi and {_tsr.Count} TSr selectors after narrowing, more than the {Sa.Tunnel.MaxTrafficSelectors} per side tunnel '{Sa.Tunnel.Name}' allows (max_traffic_selectors)",
                NotifyType.TS_UNACCEPTABLE));
        }

        if (_child is null)
        {
            return Fail(IkeError.Child(
                $"no child of tunnel '{Sa.Tunnel.Name}' accepts TSi {string.Join(" ", tsiPayload.Selectors)} TSr {string.Join(" ", tsrPayload.Selectors)}; " +
                $"configured {string.Join("; ", Sa.Tunnel.Children.Select(c => $"{c.Name}: local {string.Join(" ", c.LocalTrafficSelectors)} remote {string.Join(" ", c.RemoteTrafficSelectors)}"))}",
                NotifyType.TS_UNACCEPTABLE));
        }

        var ke = request.Find<KeyExchangePayload>();
        _selected = ProposalSelector.Select(Offered(_child), sa.Proposals, ke?.Method, out var mismatch);
        if (_selected is null || _selected.Spi.Length != 4)
        {
            return Fail(IkeError.Child($"CHILD_SA {_child.Name}: {mismatch}", NotifyType.NO_PROPOSAL_CHOSEN));
        }

        if (_selected.OfType(TransformType.KE).FirstOrDefault() is { Type: TransformType.KE } group)
        {
            if (ke is null || ke.Method != (KeyExchangeMethod)group.Id)
            {
                return Fail(IkeError.Child($"CHILD_SA {_child.Name}: PFS with {(KeyExchangeMethod)group.Id} selected but the KE payload is {ke?.Method.ToString() ?? "missing"}", NotifyType.INVALID_KE_PAYLOAD));
            }

            _keyExchange = KeyExchange.Create(ke.Method, Sa.Tunnel.AllowLegacyGroups);
        }

        _inboundSpi = Sa.Context.Spis.AllocateInboundSpi(Sa.Local.Address, Sa.Remote.Address);
        var peerNonce = request.Find<NoncePayload>()?.Data.ToArray() ?? [];
        if (request.Exchange == ExchangeType.CREATE_CHILD_SA)
        {
            _nonce = RandomNumberGenerator.GetBytes(NonceLength);
        }

        return Install(_selected, BinaryPrimitives.ReadUInt32BigEndian(_selected.Spi.Span), [.. _tsr], [.. _tsi], peerNonce, _nonce, ke);
    }

    protected override void BuildResponse(MessageBuilder message)
    {
        if (_skipped)
        {
            return;
        }

        if (Error is { } error)
        {
            // INVALID_KE_PAYLOAD names the group we selected (§1.3), so the initiator can retry with it.
            message.Add(error.Notify == NotifyType.INVALID_KE_PAYLOAD && _selected?.OfType(TransformType.KE).FirstOrDefault() is { Type: TransformType.KE } selected
                ? NotifyPayload.InvalidKePayload((KeyExchangeMethod)selected.Id)
                : NotifyPayload.Create(error.Notify ?? NotifyType.NO_PROPOSAL_CHOSEN));
            return;
        }

        message.Add(new SecurityAssociationPayload([_selected! with { Spi = SpiBytes(_inboundSpi) }]));
        if (message.Exchange == ExchangeType.CREATE_CHILD_SA)
        {
            message.Add(new NoncePayload(_nonce));
            if (_keyExchange is not null)
            {
                message.Add(new KeyExchangePayload(_keyExchange.Method, _keyExchange.PublicValue.ToArray()));
            }
        }

        message.Add(new TrafficSelectorPayload(PayloadType.TSi, [.. _tsi]));
        message.Add(new TrafficSelectorPayload(PayloadType.TSr, [.. _tsr]));
    }

    /// <summary>KEYMAT (§2.17) and the datapath installation; nonces are ordered initiator first. The Child SA is established once the datapath holds it (<see cref="CompleteInstall"/>).</summary>
    /// <param name="local">Our selectors; <paramref name="remote"/> the peer's.</param>
    private TaskResult Install(Proposal chosen, uint outboundSpi, ImmutableArray<TrafficSelector> local, ImmutableArray<TrafficSelector> remote, byte[] nonceI, byte[] nonceR, KeyExchangePayload? peerKe)
    {
        var suite = NegotiatedSuite.ForChildSa(chosen);
        if (Exchange == ExchangeType.IKE_AUTH)
        {
            (nonceI, nonceR) = (Sa.NonceI, Sa.NonceR); // the first child reuses the IKE SA's nonces (§2.17)
        }

        (_nonceI, _nonceR) = (nonceI, nonceR);
        SecretBuffer? pfs = null;
        try
        {
            if (_keyExchange is not null)
            {
                pfs = _keyExchange.DeriveSharedSecret(peerKe!.Data.Span);
            }

            using var keys = IkeKeyDerivation.DeriveChildSaKeys(Sa.Suite!.Prf, Sa.Keys!.SkD.Span, suite, nonceI, nonceR, pfs is null ? default : pfs.Span);
            // The exchange initiator's inbound keys are the responder-to-initiator ones (§2.17).
            var (inE, inA, outE, outA) = Initiator
                ? (keys.EncryptionKeyResponderToInitiator, keys.IntegrityKeyResponderToInitiator, keys.EncryptionKeyInitiatorToResponder, keys.IntegrityKeyInitiatorToResponder)
                : (keys.EncryptionKeyInitiatorToResponder, keys.IntegrityKeyInitiatorToResponder, keys.EncryptionKeyResponderToInitiator, keys.IntegrityKeyResponderToInitiator);
            var lifetime = _child!.Lifetime.ForOneSa(suite.ExtendedSequenceNumbers);
            _negotiated = new ChildSa(_child, 0, _inboundSpi, outboundSpi, suite, ProposalSpec.Describe(ProtocolId.ESP, chosen.Transforms), local, remote, Sa.Context.Now) { Lifetime = lifetime };
            // A rekey keeps the reqid, and so does the new pair of a reauthentication (the kernel's policies stay put).
            var reqId = _rekeyed?.ReqId ?? Sa.Context.ReqIdInUse(Sa.Tunnel.Name, _child.Name, local, remote);
            Sa.Install(new ChildSaInstallation(Sa.Tunnel.Name, _child.Name, reqId, Sa.Local, Sa.Remote, Sa.UdpEncapsulation,
                _inboundSpi, outboundSpi, suite, SecretBuffer.CopyOf(inE.Span), SecretBuffer.CopyOf(inA.Span), SecretBuffer.CopyOf(outE.Span), SecretBuffer.CopyOf(outA.Span), local, remote)
            {
                Lifetime = lifetime,
                SendsAtOnce = Initiator,
            });
            AwaitedInstall = _inboundSpi;
            return TaskResult.Pending;
        }
        catch (InvalidPeerKeyExchangeException e)
        {
            return Fail(IkeError.Child($"CHILD_SA {_child!.Name}: peer's PFS public value is invalid: {e.Message}", NotifyType.INVALID_SYNTAX));
        }
        finally
        {
            pfs?.Dispose();
            _keyExchange?.Dispose();
        }
    }

    /// <summary>
    /// The datapath holds the Child SA, under the reqid it reports: established; a rekey's initiator
    /// then deletes the pair it replaced. If the datapath refused, the responder answers
    /// NO_PROPOSAL_CHOSEN for it (as strongSwan does); the initiator, whose peer already holds it,
    /// deletes it with the peer (and a rekeyed pair stays until its own lifetime ends).
    /// </summary>
    public override TaskResult CompleteInstall(ChildSaInstallResult result)
    {
        var child = _negotiated!;
        if (result.Succeeded)
        {
            child = child with { ReqId = result.ReqId, EstablishedAt = Sa.Context.Now };
            Sa.AddChild(child);
            if (_rekeyed is not null)
            {
                if (Sa.ChildRekeyed(_rekeyed, child, Initiator, _nonceI, _nonceR) && Initiator && Sa.Children.Contains(_rekeyed))
                {
                    Sa.Tasks.Queue(new ChildDeleteTask(Sa, _rekeyed, "rekeyed"));
                }
            }

            return TaskResult.Done;
        }

        EngineLog.ChildInstallFailed(Sa.Logger, child.Name, $"{child.InboundSpi:x8}", result.Failure!, Initiator ? "deleting it with the peer" : "answering the peer with NO_PROPOSAL_CHOSEN");
        if (Initiator)
        {
            Sa.Tasks.Queue(new ChildDeleteTask(Sa, child, $"datapath refused it: {result.Failure}"));
        }

        return Fail(IkeError.Child($"CHILD_SA {child.Name}: the datapath refused it: {result.Failure}", NotifyType.NO_PROPOSAL_CHOSEN));
    }

    /// <summary>
    /// The ESP proposals for this exchange: in IKE_AUTH without key exchange methods, since the first
    /// Child SA takes its keys from the IKE SA's exchange (§1.2: SAi2 carries no KE; PFS starts with
    /// CREATE_CHILD_SA).
    /// </summary>
    private List<ProposalSpec> Offered(ChildConfig child) => Exchange == ExchangeType.IKE_AUTH
        ? [.. child.EspProposals.Select(p => p with { Transforms = [.. p.Transforms.Where(t => t.Type != TransformType.KE)] }).Distinct()]
        : [.. child.EspProposals];

    private static byte[] SpiBytes(uint spi)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, spi);
        return bytes;
    }
}
