using IkeSharp.Engine.Sa;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tasks;

/// <summary>
/// Owns the message IDs of one IKE SA (RFC 7296 §2.2), its window of one outstanding request,
/// retransmission (§2.1, strongSwan's schedule by default) and the cached last response, which a
/// retransmitted request gets back unchanged instead of being processed again. It creates the
/// responder tasks for each request, and holds an exchange open while the datapath installs its
/// Child SAs: our exchange completes, and the peer's gets its answer, only after that.
/// </summary>
internal sealed class TaskManager(IkeSa sa)
{
    private readonly Queue<IkeTask[]> _queued = new();
    private readonly List<IkeTask> _installing = [];
    private IkeTask[]? _active;
    private SendDatagram? _outstanding;
    private string _outstandingSummary = "";
    private int _retransmits;
    private DateTimeOffset _firstSent;
    private SendDatagram? _cachedResponse;
    private uint _cachedResponseId = uint.MaxValue;
    private byte[] _lastRequest = [];
    private Answer? _answering;

    /// <summary>The message ID of our next (or outstanding) request.</summary>
    public uint NextRequestId { get; private set; }

    /// <summary>The message ID we expect on the peer's next request.</summary>
    public uint ExpectedRequestId { get; private set; }

    public bool HasActiveExchange => _active is not null;

    /// <summary>The tasks of our exchange in flight, if any: what a request of the peer may collide with (§2.25).</summary>
    public IReadOnlyList<IkeTask> ActiveTasks => _active ?? [];

    /// <summary>Whether one of our exchanges in flight or queued has a task of type <typeparamref name="T"/>.</summary>
    public bool Has<T>()
        where T : IkeTask => Any(t => t is T);

    /// <summary>Whether one of our exchanges in flight or queued has a task that matches <paramref name="predicate"/>.</summary>
    public bool Any(Func<IkeTask, bool> predicate) => (_active ?? []).Concat(_queued.SelectMany(t => t)).Any(predicate);

    /// <summary>A request of the peer is processed but not answered yet: its Child SAs are being installed.</summary>
    public bool IsAnswering => _answering is not null;

    /// <summary>Queues one exchange made of <paramref name="tasks"/> and starts it if nothing is outstanding.</summary>
    public void Queue(params IkeTask[] tasks)
    {
        _queued.Enqueue(tasks);
        InitiateNext();
    }

    /// <summary>
    /// Queues the DELETE of the IKE SA behind the exchange in flight (the window is one request, §2.3);
    /// exchanges queued behind it are dropped, a second DELETE is not queued.
    /// </summary>
    public void QueueDelete(IkeDeleteTask delete)
    {
        if (Has<IkeDeleteTask>())
        {
            return;
        }

        foreach (var task in _queued.SelectMany(t => t))
        {
            task.Abort();
        }

        _queued.Clear();
        Queue(delete);
    }

    /// <summary>
    /// The IKE SA was rekeyed: the exchanges that have not started move to <paramref name="successor"/>
    /// (a Child SA rekey, a delete), the others are dropped. The one in flight finishes here.
    /// </summary>
    public void MoveQueuedTo(IkeSa successor)
    {
        while (_queued.TryDequeue(out var tasks))
        {
            var moved = new List<IkeTask>(tasks.Length);
            foreach (var task in tasks)
            {
                if (task.MoveTo(successor) is { } replacement)
                {
                    moved.Add(replacement);
                }
                else
                {
                    task.Abort();
                }
            }

            if (moved.Count > 0)
            {
                successor.Tasks.Queue([.. moved]);
            }
        }
    }

    public void InitiateNext()
    {
        IkeTask[]? next;
        do
        {
            if (_active is not null || sa.State == IkeSaState.Dead || !_queued.TryDequeue(out next))
            {
                return;
            }
        }
        while (next.All(t => t.Obsolete) && Drop(next));

        _active = next;
        SendActive();
    }

    public void OnResponse(IkeMessage response)
    {
        if (_active is null || _outstanding is null || response.Header.MessageId != NextRequestId || response.Exchange != _active[0].Exchange)
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
                case TaskResult.Pending:
                    _installing.Add(task);
                    break;
                case TaskResult.Failed when task.Error!.Scope == ErrorScope.IkeSa:
                    foreach (var other in tasks)
                    {
                        other.Abort();
                    }

                    _active = null;
                    _installing.Clear();
                    sa.Fail($"{response.Exchange}", task.Error);
                    return;
                case TaskResult.Failed:
                    EngineLog.ExchangeFailed(sa.Logger, $"{response.Exchange} ({task.Concern})", task.Error!.ToString());
                    break;
            }
        }

        if (retry)
        {
            // COOKIE and INVALID_KE_PAYLOAD retries resend IKE_SA_INIT with the same message ID (§2.6, §1.2).
            SendActive();
            return;
        }

        if (_installing.Count == 0)
        {
            CompleteActive(tasks[0].Exchange);
        }
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

        if (_answering is not null)
        {
            return; // the same request again while its answer waits for the datapath: that answer will do
        }

        if (id != ExpectedRequestId)
        {
            sa.Context.Statistics.CountUnexpected();
            EngineLog.Dropped(sa.Logger, sa.Remote, $"{request}: expected message ID {ExpectedRequestId}");
            return;
        }

        var tasks = CreateResponderTasks(request);
        var processed = new List<IkeTask>(tasks.Length);
        IkeError? failure = null;
        foreach (var task in tasks)
        {
            processed.Add(task);
            var result = task.Process(request);
            if (result == TaskResult.Pending)
            {
                _installing.Add(task);
            }

            if (result != TaskResult.Failed)
            {
                continue;
            }

            if (task.Error!.Scope == ErrorScope.IkeSa)
            {
                failure = task.Error;
                break;
            }

            EngineLog.ExchangeFailed(sa.Logger, $"{request.Exchange} ({task.Concern})", task.Error.ToString());
        }

        _answering = new Answer(id, request.Exchange, processed, raw.ToArray(), failure);
        if (_installing.Count == 0)
        {
            SendAnswer();
        }
    }

    /// <summary>The datapath's answer for the Child SA with <paramref name="inboundSpi"/>; the exchange waiting on it goes on once none is left.</summary>
    public void OnInstallCompleted(uint inboundSpi, ChildSaInstallResult result)
    {
        var task = _installing.FirstOrDefault(t => t.AwaitedInstall == inboundSpi);
        if (task is null)
        {
            return;
        }

        _installing.Remove(task);
        if (task.CompleteInstall(result) == TaskResult.Failed)
        {
            var exchange = _answering?.Exchange ?? task.Exchange;
            EngineLog.ExchangeFailed(sa.Logger, $"{exchange} ({task.Concern})", task.Error!.ToString());
        }

        if (_installing.Count > 0)
        {
            return;
        }

        if (_answering is not null)
        {
            SendAnswer();
        }
        else if (_active is not null)
        {
            CompleteActive(_active[0].Exchange);
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

    private static bool Drop(IkeTask[] tasks)
    {
        foreach (var task in tasks)
        {
            task.Abort();
        }

        return true;
    }

    /// <summary>
    /// The SA ends now (the daemon stops): its DELETE goes out once, unretransmitted, best effort. A
    /// request still unanswered may or may not have reached the peer, so the peer expects that
    /// request's message ID or the next. The next alone would exceed a window of one where the request
    /// was lost (§2.3), so the DELETE goes under the unanswered ID and then under the next: the peer
    /// acts on the one it expects (the other is a retransmission to it, or finds the SA gone).
    /// </summary>
    public void SendFinalDelete()
    {
        uint[] ids = _outstanding is null ? [NextRequestId] : [NextRequestId, NextRequestId + 1];
        AbortAll();
        foreach (var id in ids)
        {
            var delete = new MessageBuilder(ExchangeType.INFORMATIONAL, isResponse: false, id);
            delete.Add(DeletePayload.IkeSa());
            sa.Send(delete);
        }
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
        _installing.Clear();
        _answering = null;
    }

    /// <summary>
    /// Responder tasks for a request, by exchange (strongSwan's task_manager_v2 does the same); a
    /// CREATE_CHILD_SA whose SA payload proposes IKE rekeys the IKE SA (§1.3.2).
    /// </summary>
    private IkeTask[] CreateResponderTasks(IkeMessage request) => request.Exchange switch
    {
        ExchangeType.IKE_SA_INIT => [new IkeInitTask(sa, initiator: false)],
        ExchangeType.IKE_AUTH => [new IkeAuthTask(sa, initiator: false), new ChildCreateTask(sa, initiator: false, child: null, ExchangeType.IKE_AUTH)],
        ExchangeType.CREATE_CHILD_SA when request.Find<SecurityAssociationPayload>()?.Proposals.Any(p => p.Protocol == ProtocolId.IKE) == true
            => [new IkeRekeyTask(sa, initiator: false)],
        ExchangeType.CREATE_CHILD_SA => [new ChildCreateTask(sa, initiator: false, child: null, ExchangeType.CREATE_CHILD_SA)],
        ExchangeType.INFORMATIONAL => [new InformationalResponderTask(sa)],
        _ => [],
    };

    /// <summary>Our exchange is over (installs included): the next one may start, unless it ended the SA.</summary>
    private void CompleteActive(ExchangeType exchange)
    {
        if (sa.State == IkeSaState.Dead)
        {
            return;
        }

        _active = null;
        NextRequestId++;
        sa.OnExchangeCompleted(exchange);
        InitiateNext();
    }

    /// <summary>Builds, sends and caches the response to the request being answered, then acts on its outcome.</summary>
    private void SendAnswer()
    {
        var answer = _answering!;
        _answering = null;
        var response = new MessageBuilder(answer.Exchange, isResponse: true, answer.MessageId);
        foreach (var task in answer.Tasks)
        {
            task.Build(response);
        }

        _cachedResponse = sa.Send(response);
        _cachedResponseId = answer.MessageId;
        _lastRequest = answer.Request;
        ExpectedRequestId++;
        if (answer.Failure is not null)
        {
            sa.Fail($"{answer.Exchange}", answer.Failure);
        }
        else if (sa.DeleteAfterResponse is { } reason)
        {
            sa.Terminate(reason, TerminationCause.DeletedByPeer);
        }
        else
        {
            foreach (var task in answer.Tasks)
            {
                task.Answered();
            }

            sa.OnExchangeCompleted(answer.Exchange);
        }
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

    /// <summary>A request of the peer processed by <paramref name="Tasks"/>, answered once their installs are done.</summary>
    private sealed record Answer(uint MessageId, ExchangeType Exchange, List<IkeTask> Tasks, byte[] Request, IkeError? Failure);
}
