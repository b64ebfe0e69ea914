using IkeSharp.Engine.Sa;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tasks;

/// <summary>
/// Deletes the IKE SA and with it every Child SA (RFC 7296 §1.4.1).
/// <code>
/// HDR, SK { D(IKE) }  -->
///                &lt;--  HDR, SK { }
/// </code>
/// </summary>
internal sealed class IkeDeleteTask(IkeSa sa, string reason, TerminationCause cause = TerminationCause.Local) : IkeTask(sa, initiator: true)
{
    public override ExchangeType Exchange => ExchangeType.INFORMATIONAL;

    public override void Build(MessageBuilder message)
    {
        Sa.SetState(IkeSaState.Deleting, reason);
        message.Add(DeletePayload.IkeSa());
    }

    public override TaskResult Process(IkeMessage message)
    {
        Sa.Terminate(reason, cause);
        return TaskResult.Done;
    }

    public override IkeTask MoveTo(IkeSa successor) => new IkeDeleteTask(successor, reason, cause);
}

/// <summary>
/// Deletes one Child SA (RFC 7296 §1.4.1): the DELETE names the SPI we receive on, the peer
/// answers with its own. The Child SA leaves the datapath whether or not the answer comes.
/// <code>
/// HDR, SK { D(ESP, SPIi) }  -->
///                      &lt;--  HDR, SK { D(ESP, SPIr) }
/// </code>
/// </summary>
/// <param name="recreate">The pair went without being replaced (hard lifetime): a tunnel kept up creates it again.</param>
internal sealed class ChildDeleteTask(IkeSa sa, ChildSa child, string reason, bool recreate = false) : IkeTask(sa, initiator: true)
{
    public override ExchangeType Exchange => ExchangeType.INFORMATIONAL;

    /// <summary>The pair this task deletes.</summary>
    public ChildSa Child => child;

    public override void Build(MessageBuilder message) => message.Add(new DeletePayload(ProtocolId.ESP, [child.InboundSpi]));

    public override TaskResult Process(IkeMessage message)
    {
        Sa.RemoveChild(child, reason);
        if (recreate)
        {
            Sa.RecreateIfGone(child.Config);
        }

        return TaskResult.Done;
    }

    public override void Abort() => Sa.RemoveChild(child, reason);

    public override IkeTask MoveTo(IkeSa successor) => new ChildDeleteTask(successor, child, reason, recreate);
}

/// <summary>
/// Liveness check (dead peer detection, §1.4): an empty INFORMATIONAL request that must be answered.
/// <code>
/// HDR, SK { }  -->
///         &lt;--  HDR, SK { }
/// </code>
/// </summary>
internal sealed class LivenessTask(IkeSa sa) : IkeTask(sa, initiator: true)
{
    public override ExchangeType Exchange => ExchangeType.INFORMATIONAL;

    public override void Build(MessageBuilder message)
    {
    }

    public override TaskResult Process(IkeMessage message) => TaskResult.Done;
}

/// <summary>
/// Answers INFORMATIONAL requests: deletes (§1.4.1: Child SAs answered with our SPIs of the same
/// pairs, the IKE SA with an empty response), liveness checks, and notifies.
/// </summary>
internal sealed class InformationalResponderTask(IkeSa sa) : IkeTask(sa, initiator: false)
{
    private readonly List<uint> _deletedInbound = [];
    private readonly List<(IkeSa Owner, ChildSa Child)> _deleted = [];
    private bool _deleteIkeSa;

    public override ExchangeType Exchange => ExchangeType.INFORMATIONAL;

    public override TaskResult Process(IkeMessage message)
    {
        foreach (var delete in message.FindAll<DeletePayload>())
        {
            if (delete.Protocol == ProtocolId.IKE)
            {
                _deleteIkeSa = true;
                continue;
            }

            // The peer names its inbound SPIs, which are our outbound ones; after an IKE rekey a late
            // DELETE may still come on the old IKE SA for a pair that moved on (§1.4: "or its successor").
            foreach (var spi in delete.Spis)
            {
                // Or, on a new SA the peer made while ours was in flight, for a pair still on the old one.
                var owner = new[] { Sa, Sa.Successor, Sa.WaitingPredecessor }.FirstOrDefault(s => s?.Children.Any(c => c.OutboundSpi == spi) == true);
                if (owner?.Children.FirstOrDefault(c => c.OutboundSpi == spi) is { } child)
                {
                    _deletedInbound.Add(child.InboundSpi);
                    _deleted.Add((owner, child));
                    owner.RemoveChild(child, "deleted by peer");
                }
            }
        }

        if (_deleteIkeSa)
        {
            // §2.25.2: a DELETE of an IKE SA we are rekeying wins; a rekey of the peer's we answered in the meantime takes over.
            Sa.OnDeleteWhileRekeying();
        }

        return TaskResult.Done;
    }

    /// <summary>Pairs the peer deleted outside a rekey are created again once it has our answer (tunnels kept up only).</summary>
    public override void Answered()
    {
        foreach (var (owner, child) in _deleted)
        {
            owner.RecreateIfGone(child.Config);
        }
    }

    public override void Build(MessageBuilder message)
    {
        if (_deletedInbound.Count > 0 && !_deleteIkeSa)
        {
            message.Add(new DeletePayload(ProtocolId.ESP, [.. _deletedInbound]));
        }

        if (_deleteIkeSa)
        {
            // Respond first (this Build runs before the send), then end the SA right after.
            Sa.DeleteAfterResponse = "deleted by peer";
        }
    }
}
