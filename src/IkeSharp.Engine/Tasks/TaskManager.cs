using IkeSharp.Engine.Sa;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tasks;

/// <summary>
/// Owns the message IDs of one IKE SA (RFC 7296 §2.2), its window of one outstanding request,
/// retransmission (§2.1, strongSwan's schedule by default) and the cached last response, which a
/// retransmitted request gets back unchanged instead of being processed again.
/// </summary>
internal sealed class TaskManager(IkeSa sa)
{
    private readonly Queue<IkeTask[]> _queued = new();
    private IkeTask[]? _active;
    private SendDatagram? _outstanding;
    private string _outstandingSummary = "";
    private int _retransmits;
    private DateTimeOffset _firstSent;
    private SendDatagram? _cachedResponse;
    private uint _cachedResponseId = uint.MaxValue;
    private byte[] _lastRequest = [];

    /// <summary>The message ID of our next (or outstanding) request.</summary>
    public uint NextRequestId { get; private set; }

    /// <summary>The message ID we expect on the peer's next request.</summary>
    public uint ExpectedRequestId { get; private set; }

    public bool HasActiveExchange => _active is not null;

    /// <summary>Queues one exchange made of <paramref name="tasks"/> and starts it if nothing is outstanding.</summary>
    public void Queue(params IkeTask[] tasks)
    {
        _queued.Enqueue(tasks);
        InitiateNext();
    }

    public void InitiateNext()
    {
        if (_active is not null || sa.State == IkeSaState.Dead || !_queued.TryDequeue(out var next))
        {
            return;
        }

        _active = next;
        SendActive();
    }

    public void OnResponse(IkeMessage response)
    {
        if (_active is null || response.Header.MessageId != NextRequestId || response.Exchange != _active[0].Exchange)
        {
            sa.Context.Statistics.CountUnexpected();
            EngineLog.Dropped(sa.Logger, sa.Remote, $"{response}: no request with message ID {response.Header.MessageId} outstanding");
            return;
        }

        sa.CancelTimer(TimerKind.Retransmit);
        _outstanding = null;
        var tasks = _active;
        var retry = false;
        foreach (var task in tasks)
        {
            switch (task.Process(response))
            {
                case TaskResult.Retry:
                    retry = true;
                    break;
                case TaskResult.Failed when task.Error!.Scope == ErrorScope.IkeSa:
                    foreach (var other in tasks)
                    {
                        other.Abort();
                    }

                    _active = null;
                    sa.Fail($"{response.Exchange}", task.Error);
                    return;
                case TaskResult.Failed:
                    EngineLog.ExchangeFailed(sa.Logger, $"{response.Exchange} (Child SA)", task.Error!.ToString());
                    break;
            }
        }

        if (retry)
        {
            // COOKIE and INVALID_KE_PAYLOAD retries resend IKE_SA_INIT with the same message ID (§2.6, §1.2).
            SendActive();
            return;
        }

        _active = null;
        NextRequestId++;
        InitiateNext();
    }

    public void OnRequest(IkeMessage request, ReadOnlyMemory<byte> raw)
    {
        var id = request.Header.MessageId;
        if (id == _cachedResponseId && _cachedResponse is not null)
        {
            if (raw.Span.SequenceEqual(_lastRequest))
            {
                // §2.1: a retransmitted request gets the same response, not a new one.
                sa.Emit(_cachedResponse with { Local = sa.Local, Remote = sa.Remote });
            }

            return;
        }

        if (id != ExpectedRequestId)
        {
            sa.Context.Statistics.CountUnexpected();
            EngineLog.Dropped(sa.Logger, sa.Remote, $"{request}: expected message ID {ExpectedRequestId}");
            return;
        }

        var tasks = sa.CreateResponderTasks(request);
        var processed = new List<IkeTask>(tasks.Length);
        IkeError? failure = null;
        foreach (var task in tasks)
        {
            processed.Add(task);
            if (task.Process(request) != TaskResult.Failed)
            {
                continue;
            }

            if (task.Error!.Scope == ErrorScope.IkeSa)
            {
                failure = task.Error;
                break;
            }

            EngineLog.ExchangeFailed(sa.Logger, $"{request.Exchange} (Child SA)", task.Error.ToString());
        }

        var response = new MessageBuilder(request.Exchange, isResponse: true, id);
        foreach (var task in processed)
        {
            task.Build(response);
        }

        _cachedResponse = sa.Send(response);
        _cachedResponseId = id;
        _lastRequest = raw.ToArray();
        ExpectedRequestId++;
        if (failure is not null)
        {
            sa.Fail($"{request.Exchange}", failure);
        }
        else if (sa.DeleteAfterResponse is { } reason)
        {
            sa.Terminate(reason, TerminationCause.DeletedByPeer);
        }
    }

    public void OnRetransmitTimer()
    {
        if (_outstanding is null)
        {
            return;
        }

        var policy = sa.Tunnel.Retransmit;
        if (_retransmits >= policy.Tries)
        {
            EngineLog.PeerNotResponding(sa.Logger, sa.Remote, _outstandingSummary, _retransmits + 1, (sa.Context.Now - _firstSent).TotalSeconds);
            var tasks = _active ?? [];
            _active = null;
            _outstanding = null;
            foreach (var task in tasks)
            {
                task.Abort();
            }

            sa.OnPeerUnresponsive(tasks);
            return;
        }

        _retransmits++;
        sa.Context.Statistics.CountRetransmission();
        EngineLog.Retransmit(sa.Logger, _retransmits, _outstandingSummary, sa.Remote);
        sa.Emit(_outstanding);
        sa.ArmTimer(TimerKind.Retransmit, policy.Delay(_retransmits));
    }

    /// <summary>Drops queued and active exchanges (the SA is going away).</summary>
    public void AbortAll()
    {
        foreach (var task in (_active ?? []).Concat(_queued.SelectMany(t => t)))
        {
            task.Abort();
        }

        if (_outstanding is not null)
        {
            NextRequestId++; // §2.2: the abandoned request's ID is spent; reusing it would look like a retransmission
        }

        _active = null;
        _outstanding = null;
        _queued.Clear();
    }

    private void SendActive()
    {
        var request = new MessageBuilder(_active![0].Exchange, isResponse: false, NextRequestId);
        foreach (var task in _active)
        {
            task.Build(request);
        }

        _outstandingSummary = MessageSummary.Describe(request.Exchange, false, request.MessageId, request.Payloads);
        _outstanding = sa.Send(request);
        _retransmits = 0;
        _firstSent = sa.Context.Now;
        sa.ArmTimer(TimerKind.Retransmit, sa.Tunnel.Retransmit.Delay(0));
    }
}
