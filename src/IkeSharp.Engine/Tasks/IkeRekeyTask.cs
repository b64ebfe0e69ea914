using System.Buffers.Binary;
using System.Security.Cryptography;
using IkeSharp.Crypto;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Engine.Sa;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tasks;

/// <summary>
/// Rekeys the IKE SA (RFC 7296 §1.3.2, §2.18): a CREATE_CHILD_SA whose SA payload proposes IKE with
/// its sender's SPI of the new SA, always with a fresh key exchange. The new SA's SKEYSEED comes from
/// the old SA's SK_d; the rekey's initiator is the new SA's original initiator, and its message IDs
/// start at zero. The Child SAs move to the new SA, and the rekey's initiator deletes the old one.
/// <code>
/// HDR, SK { SA, Ni, KEi }  -->
///                     &lt;--  HDR, SK { SA, Nr, KEr }
/// </code>
/// The new SA exists from the moment its SPI is chosen (so the peer's first message on it finds it)
/// but is owned by its tunnel only once the exchange is done. What happens when both sides rekey at
/// once (§2.8.2) is the old SA's decision (<see cref="IkeSa.IkeRekeyCompleted"/>).
/// </summary>
internal sealed class IkeRekeyTask(IkeSa sa, bool initiator, KeyExchangeMethod? group = null) : SplitRoleTask(sa, initiator)
{
    private const int NonceLength = 32;
    private const int SpiLength = 8;

    private IkeSa? _successor;
    private KeyExchange? _keyExchange;
    private byte[] _publicValue = [];
    private byte[] _nonce = [];
    private byte[] _peerNonce = [];
    private Proposal? _selected;

    public override ExchangeType Exchange => ExchangeType.CREATE_CHILD_SA;

    public override string Concern => "IKE SA rekey";

    public override void Abort()
    {
        _keyExchange?.Dispose();
        if (_successor is { State: not IkeSaState.Established } larval)
        {
            Sa.Owner.DiscardRekeyedSa(larval);
        }

        _successor = null;
    }

    /// <summary>Responder: the peer has our answer, so the new SA takes over (or waits for the nonces to decide).</summary>
    public override void Answered()
    {
        if (Error is null && _successor is { } successor)
        {
            Sa.IkeRekeyCompleted(successor, ours: false, _peerNonce, _nonce);
        }
    }

    protected override void BuildRequest(MessageBuilder message)
    {
        _successor ??= Sa.Owner.CreateRekeyedSa(Sa, initiator: true, peerSpi: 0);
        if (_nonce.Length == 0)
        {
            _nonce = RandomNumberGenerator.GetBytes(NonceLength);
            EngineLog.IkeRekeying(Sa.Logger, Sa.Tunnel.Name, $"new SPI {_successor.InitiatorSpi:x16}_i");
        }

        // The group of the SA being replaced, as strongSwan does: the peer accepted it once.
        if (_keyExchange is null)
        {
            CreateKeyExchange(group ?? CurrentOrFirstGroup());
        }

        var spi = SpiBytes(_successor.InitiatorSpi);
        message.Add(new SecurityAssociationPayload([.. Sa.Tunnel.IkeProposals.Select((p, i) => p.ToProposal((byte)(i + 1), spi))]));
        message.Add(new NoncePayload(_nonce));
        message.Add(new KeyExchangePayload(_keyExchange!.Method, _publicValue));
    }

    protected override TaskResult ProcessResponse(IkeMessage response)
    {
        if (_successor is null || Sa.State != IkeSaState.Established)
        {
            Abort();
            return TaskResult.Done;
        }

        if (group is null && response.FindNotify(NotifyType.INVALID_KE_PAYLOAD) is { RequestedKeyExchange: { } wanted } && Offers(wanted))
        {
            // §1.3: a new exchange with a KE of the group the peer asks for.
            EngineLog.IkeRekeyKeyExchangeRetry(Sa.Logger, Sa.Tunnel.Name, _keyExchange!.Method.ToString(), wanted.ToString());
            Abort();
            Sa.Tasks.Queue(new IkeRekeyTask(Sa, initiator: true, wanted));
            return TaskResult.Done;
        }

        if (response.FindNotify(NotifyType.TEMPORARY_FAILURE) is not null)
        {
            Abort();
            Sa.PostponeIkeRekey();
            return TaskResult.Done;
        }

        if (FirstErrorNotify(response) is { } error)
        {
            Abort();
            return Fail(IkeError.Child($"peer answered {error.NotifyType}" + (error.NotifyType == NotifyType.NO_PROPOSAL_CHOSEN ? $"; configured {string.Join(", ", Sa.Tunnel.IkeProposals)}" : "")
                + "; the IKE SA stays until its lifetime ends", error.NotifyType));
        }

        if (response.Find<SecurityAssociationPayload>() is not { Proposals: [{ Protocol: ProtocolId.IKE } chosen] }
            || response.Find<NoncePayload>() is not { } nonce || response.Find<KeyExchangePayload>() is not { } ke)
        {
            Abort();
            return Fail(IkeError.Child("response lacks an IKE proposal, the nonce or the KE payload"));
        }

        if (!ProposalSelector.VerifyChosen(Sa.Tunnel.IkeProposals, chosen, out var problem) || chosen.Spi.Length != SpiLength || ke.Method != _keyExchange!.Method)
        {
            Abort();
            return Fail(IkeError.Child(problem.Length > 0 ? problem : chosen.Spi.Length != SpiLength ? "the peer's IKE SPI is not 8 octets" : $"peer's KE uses {ke.Method}, we sent {_keyExchange!.Method}"));
        }

        var successor = _successor;
        successor.ResponderSpi = BinaryPrimitives.ReadUInt64BigEndian(chosen.Spi.Span);
        _peerNonce = nonce.Data.ToArray();
        if (DeriveKeys(successor, chosen, ke, _nonce, _peerNonce) is { } failure)
        {
            Abort();
            return failure;
        }

        Sa.IkeRekeyCompleted(successor, ours: true, _nonce, _peerNonce);
        return TaskResult.Done;
    }

    protected override TaskResult ProcessRequest(IkeMessage request)
    {
        // §2.25.2: not while we close the SA or create, rekey or delete a Child SA; the peer tries again.
        // Our own IKE rekey in flight is a collision, answered as usual and decided by the nonces.
        if (Sa.State != IkeSaState.Established || Sa.Tasks.ActiveTasks.Any(t => t is not IkeRekeyTask and not LivenessTask))
        {
            return Fail(IkeError.Child($"the IKE SA is {(Sa.State == IkeSaState.Established ? "busy with " + Sa.Tasks.ActiveTasks[0].GetType().Name.Replace("Task", "", StringComparison.Ordinal) : Sa.State.ToString().ToLowerInvariant())}: rekey postponed", NotifyType.TEMPORARY_FAILURE));
        }

        var sa = request.Find<SecurityAssociationPayload>()!;
        var ke = request.Find<KeyExchangePayload>();
        _selected = ProposalSelector.Select(Sa.Tunnel.IkeProposals, sa.Proposals, ke?.Method, out var mismatch);
        if (_selected is null)
        {
            return Fail(IkeError.Child(mismatch, NotifyType.NO_PROPOSAL_CHOSEN));
        }

        if (_selected.Spi.Length != SpiLength)
        {
            return Fail(IkeError.Child($"the peer's new IKE SPI has {_selected.Spi.Length} octets, not 8", NotifyType.INVALID_SYNTAX));
        }

        var selectedGroup = (KeyExchangeMethod)_selected.OfType(TransformType.KE).Single().Id;
        if (ke is null || ke.Method != selectedGroup)
        {
            return Fail(IkeError.Child($"the selected proposal uses {selectedGroup} but the KE payload is {ke?.Method.ToString() ?? "missing"} (§2.18 asks for a new key exchange)", NotifyType.INVALID_KE_PAYLOAD));
        }

        CreateKeyExchange(selectedGroup);
        _nonce = RandomNumberGenerator.GetBytes(NonceLength);
        _peerNonce = request.Find<NoncePayload>()!.Data.ToArray();
        _successor = Sa.Owner.CreateRekeyedSa(Sa, initiator: false, BinaryPrimitives.ReadUInt64BigEndian(_selected.Spi.Span));
        if (DeriveKeys(_successor, _selected, ke, _peerNonce, _nonce) is { } failure)
        {
            Abort();
            return failure;
        }

        return TaskResult.Done;
    }

    protected override void BuildResponse(MessageBuilder message)
    {
        if (Error is { } error)
        {
            message.Add(error.Notify == NotifyType.INVALID_KE_PAYLOAD && _selected?.OfType(TransformType.KE).FirstOrDefault() is { Type: TransformType.KE } selected
                ? NotifyPayload.InvalidKePayload((KeyExchangeMethod)selected.Id)
                : NotifyPayload.Create(error.Notify ?? NotifyType.NO_PROPOSAL_CHOSEN));
            return;
        }

        message.Add(new SecurityAssociationPayload([_selected! with { Spi = SpiBytes(_successor!.ResponderSpi) }]));
        message.Add(new NoncePayload(_nonce));
        message.Add(new KeyExchangePayload(_keyExchange!.Method, _publicValue));
    }

    /// <summary>SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) with the old SA's PRF, then SK_* for the new SPIs (§2.18).</summary>
    private TaskResult? DeriveKeys(IkeSa successor, Proposal chosen, KeyExchangePayload ke, byte[] nonceI, byte[] nonceR)
    {
        (successor.NonceI, successor.NonceR) = (nonceI, nonceR);
        return IkeSaKeying.Establish(successor, _keyExchange!, ke, chosen, (suite, shared) => IkeKeyDerivation.DeriveRekeyedIkeSaKeys(
                suite, Sa.Suite!.Prf, Sa.Keys!.SkD.Span, shared.Span, nonceI, nonceR, successor.InitiatorSpi, successor.ResponderSpi)) is { } problem
            ? Fail(IkeError.Child(problem, NotifyType.INVALID_SYNTAX))
            : null;
    }

    private void CreateKeyExchange(KeyExchangeMethod method)
    {
        _keyExchange = KeyExchange.Create(method, Sa.Tunnel.AllowLegacyGroups);
        _publicValue = _keyExchange.PublicValue.ToArray();
    }

    private KeyExchangeMethod CurrentOrFirstGroup()
        => Sa.Suite is { } suite && Offers(suite.KeyExchange)
            ? suite.KeyExchange
            : (KeyExchangeMethod)Sa.Tunnel.IkeProposals[0].OfType(TransformType.KE).First().Id;

    private bool Offers(KeyExchangeMethod method)
        => Sa.Tunnel.IkeProposals.Any(p => p.OfType(TransformType.KE).Any(t => t.Id == (ushort)method));

    private static byte[] SpiBytes(ulong spi)
    {
        var bytes = new byte[SpiLength];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, spi);
        return bytes;
    }
}
