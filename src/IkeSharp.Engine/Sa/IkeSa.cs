using System.Net;
using IkeSharp.Crypto;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Engine.Tasks;
using IkeSharp.Engine.Tunnels;
using IkeSharp.Protocol;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Engine.Sa;

/// <summary>Why an IKE SA ended.</summary>
public enum TerminationCause
{
    Local,
    DeletedByPeer,
    PeerUnresponsive,
    Failed,
    /// <summary>Reached its hard lifetime without being rekeyed.</summary>
    Expired,
    /// <summary>Replaced by a rekey (or redundant after a rekey collision): the tunnel lives on in another IKE SA.</summary>
    Rekeyed,
}

/// <summary>
/// One IKE SA: its identity (SPIs, endpoints, role), negotiated keys, Child SAs and the task
/// manager that runs its exchanges. Not thread-safe: only its owner (<see cref="Tunnel"/>) calls
/// it, one input at a time; its effects go to that owner. Other threads read only <see cref="Status"/>.
/// </summary>
internal sealed partial class IkeSa : IDisposable
{
    private static long _serials;

    private readonly EngineContext _context;
    private readonly MessageProtection _protection = new();
    private readonly Dictionary<TimerKind, long> _timers = [];
    private readonly Dictionary<TimerKind, DateTimeOffset> _due = [];
    private volatile Tunnel _owner;
    private volatile IkeSaStatus? _status;
    private string? _closing;
    private TerminationCause _closingCause;
    private HalfOpenSource? _halfOpenFrom;

    public IkeSa(EngineContext context, Tunnel owner, TunnelConfig tunnel, bool originalInitiator, ulong initiatorSpi, ulong responderSpi, IPEndPoint local, IPEndPoint remote)
    {
        _context = context;
        _owner = owner;
        Tunnel = tunnel;
        IsOriginalInitiator = originalInitiator;
        InitiatorSpi = initiatorSpi;
        ResponderSpi = responderSpi;
        Local = local;
        Remote = remote;
        Tasks = new TaskManager(this);
        Logger = context.Loggers.CreateLogger("IkeSharp.IkeSa");
        LastReceived = context.Now;
        CreatedAt = context.Now;
        Serial = Interlocked.Increment(ref _serials);
        PublishStatus();
    }

    public EngineContext Context => _context;

    /// <summary>When this SA was made: its IKE_SA_INIT (or rekey) request sent or received.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>The tunnel that owns this SA; changes once, when a responder SA is adopted by its tunnel.</summary>
    public Tunnel Owner
    {
        get => _owner;
        set => _owner = value;
    }

    public ILogger Logger { get; }

    /// <summary>Creation order, for stable status output.</summary>
    public long Serial { get; }

    public TunnelConfig Tunnel { get; set; }

    public bool IsOriginalInitiator { get; }

    public ulong InitiatorSpi { get; }

    public ulong ResponderSpi { get; set; }

    /// <summary>The SPI we chose: the key of this SA in the engine's table.</summary>
    public ulong LocalSpi => IsOriginalInitiator ? InitiatorSpi : ResponderSpi;

    public string SpiText => $"{InitiatorSpi:x16}_i {ResponderSpi:x16}_r";

    public IPEndPoint Local { get; set; }

    public IPEndPoint Remote { get; set; }

    public IkeSaState State { get; private set; } = IkeSaState.Connecting;

    public TaskManager Tasks { get; }

    public IkeSaCipherSuite? Suite { get; private set; }

    public string? Proposal { get; private set; }

    /// <summary>The IKE proposal agreed on, as the responder selected it.</summary>
    public Protocol.Proposal? Negotiated { get; private set; }

    public IkeSaKeys? Keys { get; private set; }

    public Prf? Prf { get; private set; }

    public byte[] NonceI { get; set; } = [];

    public byte[] NonceR { get; set; } = [];

    /// <summary>The IKE_SA_INIT request and response as sent: the "RealMessage" of AUTH (§2.15).</summary>
    public byte[] InitRequest { get; set; } = [];

    public byte[] InitResponse { get; set; } = [];

    /// <summary>A NAT rewrites our address (RFC 7296 §2.23): we send keepalives.</summary>
    public bool NatLocal { get; set; }

    /// <summary>A NAT rewrites the peer's address: we follow its address changes.</summary>
    public bool NatRemote { get; set; }

    public bool UdpEncapsulation => NatLocal || NatRemote || Tunnel.ForceEncapsulation;

    public Identity? PeerIdentity { get; set; }

    /// <summary>Hashes the peer accepts for RFC 7427 signatures, from its SIGNATURE_HASH_ALGORITHMS.</summary>
    public IReadOnlyList<HashAlgorithm> PeerSignatureHashes { get; set; } = [];

    public List<ChildSa> Children { get; } = [];

    public DateTimeOffset LastReceived { get; private set; }

    public DateTimeOffset? EstablishedAt { get; private set; }

    /// <summary>Why the SA ended (set with the Dead state); drives restarts and retries.</summary>
    public TerminationCause? Cause { get; private set; }

    /// <summary>How the SA ended, in words (set with the Dead state).</summary>
    public string? EndReason { get; private set; }

    /// <summary>The peer sent INITIAL_CONTACT (§2.4): older IKE SAs with it are stale and go (when its tunnel adopts this one).</summary>
    public bool InitialContactReceived { get; set; }

    /// <summary>Set when the peer's request deleted this SA: ends it once the response is out.</summary>
    public string? DeleteAfterResponse { get; set; }

    /// <summary>For a responder SA: its IKE_SA_INIT request, by which retransmissions of it are recognised.</summary>
    public InitKey? InitKey { get; init; }

    /// <summary>The engine counts this SA as half-open from <paramref name="source"/> (the COOKIE threshold and half-open limits).</summary>
    public void CountAsHalfOpen(HalfOpenSource source) => _halfOpenFrom = source;

    /// <summary>What it was counted as, exactly once after <see cref="CountAsHalfOpen"/>: the caller uncounts it.</summary>
    public HalfOpenSource? StopCountingAsHalfOpen() => Interlocked.Exchange(ref _halfOpenFrom, null);

    /// <summary>A responder SA that has not finished IKE_AUTH: what the COOKIE threshold counts.</summary>
    public bool IsHalfOpen => !IsOriginalInitiator && State is IkeSaState.Connecting or IkeSaState.Authenticating;

    /// <summary>The last snapshot the owner published: what other threads (status, control) see.</summary>
    public IkeSaStatus Status => _status!;

    /// <summary>Opens the logging scope that gives every event of this SA its structured properties.</summary>
    public IDisposable? BeginLogScope() => Logger.BeginScope(new Dictionary<string, object>
    {
        ["Tunnel"] = Tunnel.Name,
        ["IkeSa"] = SpiText,
        ["Peer"] = Remote.ToString(),
        ["MessageId"] = Tasks.NextRequestId,
    });

    public void Emit(EngineEffect effect) => Owner.Emit(effect);

    public void ArmTimer(TimerKind kind, TimeSpan delay)
    {
        var generation = _context.NextTimerGeneration();
        _timers[kind] = generation;
        _due[kind] = _context.Now + delay;
        Emit(new ArmTimer(new TimerKey(LocalSpi, Tunnel.Name, kind), delay, generation));
    }

    public void CancelTimer(TimerKind kind)
    {
        if (_timers.Remove(kind))
        {
            Emit(new CancelTimer(new TimerKey(LocalSpi, Tunnel.Name, kind)));
        }
    }

    /// <summary>Whether a timer of <paramref name="kind"/> is armed for this SA.</summary>
    public bool IsArmed(TimerKind kind) => _timers.ContainsKey(kind);

    /// <summary>A timer of this SA expired: acted on only if it is the one armed last (not re-armed or cancelled since).</summary>
    public void OnTimer(TimerKind kind, long generation)
    {
        if (!_timers.TryGetValue(kind, out var armed) || armed != generation)
        {
            return;
        }

        _timers.Remove(kind);
        switch (kind)
        {
            case TimerKind.Retransmit:
                Tasks.OnRetransmitTimer();
                break;
            case TimerKind.Dpd:
                OnDpdTimer();
                break;
            case TimerKind.NatKeepalive when State == IkeSaState.Established:
                Emit(new SendDatagram(Local, Remote, [0xff])); // RFC 3948 §2.3
                ArmTimer(TimerKind.NatKeepalive, Tunnel.NatKeepalive);
                break;
            case TimerKind.HalfOpenTimeout when IsHalfOpen:
                Terminate($"IKE_AUTH not completed within {_context.Options.HalfOpenTimeout.TotalSeconds:0}s", TerminationCause.PeerUnresponsive);
                break;
            case TimerKind.IkeRekey:
                OnIkeRekeyTimer();
                break;
            case TimerKind.IkeExpire:
                OnIkeExpireTimer();
                break;
            case TimerKind.ChildRekeyRetry:
                OnChildRekeyRetryTimer();
                break;
            case TimerKind.IkeReauth:
                OnIkeReauthTimer();
                break;
            case TimerKind.ReauthTwin:
                Owner.ResolveReauthenticationTwin(this);
                break;
        }
    }

    /// <summary>Installs the negotiated suite and keys and turns on SK protection both ways.</summary>
    public void SetKeys(IkeSaCipherSuite suite, Protocol.Proposal chosen, IkeSaKeys keys)
    {
        Suite = suite;
        Negotiated = chosen;
        var proposal = ProposalSpec.Describe(ProtocolId.IKE, chosen.Transforms);
        Proposal = proposal;
        Keys = keys;
        Prf = Crypto.Prf.Create(suite.Prf);
        _protection.SetKeys(suite, keys, IsOriginalInitiator);
        EngineLog.ProposalSelected(Logger, proposal);
    }

    /// <summary>After NAT detection (or with forced encapsulation) IKE moves to port 4500 (§2.23).</summary>
    public void FloatToNatTraversalPort()
    {
        if (Local.Port == Protocol.UdpEncapsulation.NatTraversalPort)
        {
            return;
        }

        Local = new IPEndPoint(Local.Address, Protocol.UdpEncapsulation.NatTraversalPort);
        Remote = new IPEndPoint(Remote.Address, Protocol.UdpEncapsulation.NatTraversalPort);
    }

    public void SetState(IkeSaState state, string detail)
    {
        if (State == state)
        {
            return;
        }

        State = state;
        EngineLog.IkeSaState(Logger, state.ToString().ToLowerInvariant(), detail);
        if (state == IkeSaState.Established)
        {
            EstablishedAt = _context.Now;
            if (Tunnel.DpdDelay > TimeSpan.Zero)
            {
                ArmTimer(TimerKind.Dpd, Tunnel.DpdDelay);
            }

            if (NatLocal)
            {
                ArmTimer(TimerKind.NatKeepalive, Tunnel.NatKeepalive);
            }

            CancelTimer(TimerKind.HalfOpenTimeout);
            ArmLifetimeTimers();
        }
    }

    /// <summary>
    /// An exchange of ours or the peer's is complete, Child SA installs included: IKE_AUTH done is
    /// when the tunnel counts as up, so "up" never precedes ESP SAs the datapath holds.
    /// </summary>
    public void OnExchangeCompleted(ExchangeType exchange)
    {
        if (exchange == ExchangeType.IKE_AUTH && State == IkeSaState.Established)
        {
            Emit(new TunnelStateChanged(Tunnel.Name, TunnelState.Up, $"IKE_SA {Tunnel.Name}[{SpiText}] established between {Local}[{Tunnel.LocalIdentity}]...{Remote}[{PeerIdentity}]"));
        }
    }

    /// <summary>Encodes, protects and sends a message; returns the datagram for retransmission.</summary>
    public SendDatagram Send(MessageBuilder message)
    {
        var marker = Local.Port == Protocol.UdpEncapsulation.NatTraversalPort ? Protocol.UdpEncapsulation.NonEspMarkerLength : 0;
        var datagram = Encode(message);
        if (message.Exchange == ExchangeType.IKE_SA_INIT)
        {
            if (message.IsResponse)
            {
                InitResponse = datagram[marker..];
            }
            else
            {
                InitRequest = datagram[marker..];
            }
        }

        var summary = MessageSummary.Describe(message.Exchange, message.IsResponse, message.MessageId, message.Payloads);
        EngineLog.MessageSent(Logger, summary, Remote, datagram.Length);
        var send = new SendDatagram(Local, Remote, datagram);
        Emit(send);
        return send;
    }

    /// <summary>
    /// The datagram for <paramref name="message"/>: header, SK protection, and the non-ESP marker on
    /// port 4500. Apart from <see cref="Send"/>, tests and the fuzzing harness use it to make the peer
    /// receive authenticated messages no honest implementation sends.
    /// </summary>
    internal byte[] Encode(MessageBuilder message)
    {
        var flags = (IsOriginalInitiator ? IkeHeaderFlags.Initiator : IkeHeaderFlags.None) | (message.IsResponse ? IkeHeaderFlags.Response : IkeHeaderFlags.None);
        var header = IkeHeader.Create(InitiatorSpi, ResponderSpi, message.Exchange, flags, message.MessageId);
        var marker = Local.Port == Protocol.UdpEncapsulation.NatTraversalPort ? Protocol.UdpEncapsulation.NonEspMarkerLength : 0;
        return _protection.Encode(header, message.Payloads, marker);
    }

    /// <summary>Handles a datagram from the peer (already matched to this SA by SPI); <paramref name="decoded"/> when the dispatcher decoded it.</summary>
    public void Receive(IPEndPoint local, IPEndPoint remote, ReadOnlyMemory<byte> raw, IkeMessage? decoded)
    {
        IkeMessage outer;
        if (decoded is not null)
        {
            outer = decoded;
        }
        else if (!IkeMessage.TryDecode(raw, out var message, out var error) || MessageRules.CheckOuter(message) is { } _)
        {
            _context.Statistics.CountUndecodable();
            EngineLog.Dropped(Logger, remote, message is null ? error.ToString() : "outer payloads break the message rules");
            return;
        }
        else
        {
            outer = message;
        }

        Receive(outer, raw, local, remote);
    }

    private void Receive(IkeMessage outer, ReadOnlyMemory<byte> raw, IPEndPoint local, IPEndPoint remote)
    {
        // §1.2, §2.2: IKE_SA_INIT is message 0 of a new SA only — never a way to re-key an existing one.
        if (outer.Exchange == ExchangeType.IKE_SA_INIT
            && (outer.Header.MessageId != 0 || (outer.IsResponse ? !IsOriginalInitiator || State != IkeSaState.Connecting : IsOriginalInitiator)))
        {
            _context.Statistics.CountUnexpected();
            EngineLog.Dropped(Logger, remote, $"{outer}: IKE_SA_INIT does not belong to an IKE SA in state {State}");
            return;
        }

        if (!_protection.TryDecrypt(outer, raw, _context.Statistics, out var message, out var problem))
        {
            EngineLog.Dropped(Logger, remote, $"{outer}: {problem}");
            return;
        }

        if (MessageRules.Check(message) is { } violation)
        {
            _context.Statistics.CountUndecodable();
            EngineLog.Dropped(Logger, remote, $"{message}: {violation.Reason}");
            return;
        }

        if (!message.IsResponse && message.Header.MessageId == Tasks.ExpectedRequestId && Misplaced(message.Exchange) is { } misplaced)
        {
            _context.Statistics.CountUnexpected();
            EngineLog.Dropped(Logger, remote, $"{message}: {misplaced}");
            return;
        }

        var expected = message.IsResponse ? Tasks.NextRequestId : Tasks.ExpectedRequestId;
        if (outer.Exchange != ExchangeType.IKE_SA_INIT && message.Header.MessageId == expected)
        {
            // Authenticated and new (§2.23): count it as a sign of life, answer on the socket it came
            // to, and follow the peer's address when a NAT is in front of it or it floated to 4500.
            LastReceived = _context.Now;
            var (oldLocal, oldRemote) = (Local, Remote);
            Local = local;
            if (NatRemote || remote.Address.Equals(Remote.Address))
            {
                Remote = remote;
            }

            if (!Equals(oldLocal, Local) || !Equals(oldRemote, Remote))
            {
                foreach (var child in Children)
                {
                    Emit(new UpdateChildSaEndpoints(child.InboundSpi, Local, Remote));
                }
            }
        }

        EngineLog.MessageReceived(Logger, message.ToString(), remote, raw.Length);
        if (message.Exchange == ExchangeType.IKE_SA_INIT && message.IsResponse)
        {
            InitResponse = raw.ToArray();
        }
        else if (message.Exchange == ExchangeType.IKE_SA_INIT && Tasks.ExpectedRequestId == 0)
        {
            InitRequest = raw.ToArray();
        }

        if (message.IsResponse)
        {
            Tasks.OnResponse(message);
        }
        else
        {
            Tasks.OnRequest(message, raw);
        }
    }

    /// <summary>
    /// Why a new request of the peer does not belong in this state, or null (§1.2, §2.2): IKE_AUTH
    /// authenticates a new SA once, as its second exchange; every other exchange needs an
    /// authenticated SA. (Retransmissions of an answered request never get here.)
    /// </summary>
    private string? Misplaced(ExchangeType exchange) => exchange switch
    {
        ExchangeType.IKE_SA_INIT => null, // checked before decryption
        ExchangeType.IKE_AUTH when !IsHalfOpen => $"IKE_AUTH does not belong to an IKE SA in state {State}{(IsOriginalInitiator ? " that we initiated" : "")}",
        ExchangeType.IKE_AUTH => null,
        _ when State is IkeSaState.Connecting or IkeSaState.Authenticating => $"{exchange} before IKE_AUTH completed",
        _ => null,
    };

    /// <summary>Queues the initial exchanges of a tunnel we initiate: IKE_SA_INIT, then IKE_AUTH with the first child.</summary>
    public void StartInitiating()
    {
        Tasks.Queue(new IkeInitTask(this, initiator: true));
        var children = Tunnel.Children;
        Tasks.Queue(new IkeAuthTask(this, initiator: true), new ChildCreateTask(this, initiator: true, child: children.Length > 0 ? children[0] : null, ExchangeType.IKE_AUTH));
        foreach (var child in children.Skip(1))
        {
            Tasks.Queue(new ChildCreateTask(this, initiator: true, child, ExchangeType.CREATE_CHILD_SA));
        }
    }

    /// <summary>Hands a negotiated Child SA to the datapath; its outcome comes back to the task that asked (<see cref="TaskManager.OnInstallCompleted"/>).</summary>
    public void Install(ChildSaInstallation installation) => Owner.EmitInstall(this, installation);

    /// <summary>The datapath holds <paramref name="child"/>: it is established.</summary>
    public void AddChild(ChildSa child)
    {
        Children.Add(child);
        _context.ChildSpis[child.InboundSpi] = this;
        _context.ChildSpis[child.OutboundSpi] = this;
        EngineLog.ChildEstablished(Logger, child.Name, $"{child.InboundSpi:x8}", $"{child.OutboundSpi:x8}",
            string.Join(" ", child.LocalTrafficSelectors), string.Join(" ", child.RemoteTrafficSelectors), child.Proposal);
    }

    public void RemoveChild(ChildSa child, string reason)
    {
        _rekeying.Remove(child.InboundSpi);
        _redundant.Remove(child.InboundSpi);
        if (!Tasks.ActiveTasks.Any(t => t is ChildCreateTask { Replaces: var replaced } && replaced == child))
        {
            // While our own rekey of the pair is in flight, the peer's completed one is kept: the peer
            // may have deleted the pair as the winner of a collision our rekey is still part of (§2.8.1).
            _rekeys.Remove(child.InboundSpi);
        }

        if (Children.Remove(child))
        {
            _context.ChildSpis.TryRemove(new KeyValuePair<uint, IkeSa>(child.InboundSpi, this));
            _context.ChildSpis.TryRemove(new KeyValuePair<uint, IkeSa>(child.OutboundSpi, this));
            Emit(new RemoveChildSa(Tunnel.Name, child.Name, child.InboundSpi, child.OutboundSpi, child.ReqId));
            EngineLog.ChildDeleted(Logger, child.Name, $"{child.InboundSpi:x8}", $"{child.OutboundSpi:x8}", reason);
        }
    }

    /// <summary>Ends this SA locally: children removed from the datapath, timers cancelled, state Dead.</summary>
    public void Terminate(string reason, TerminationCause cause = TerminationCause.Local)
    {
        if (State == IkeSaState.Dead)
        {
            return;
        }

        // A replaced SA's end is no tunnel going down: its Child SAs live on in its successor, or in
        // an IKE SA the peer made to replace it (it reauthenticated, make-before-break).
        if (!Replaced && Owner.CarriedBesides(this) is { } other)
        {
            EngineLog.IkeSaSuperseded(Logger, Tunnel.Name, reason, other);
            Replaced = true;
        }

        Cause = Replaced ? TerminationCause.Rekeyed : cause;
        EndReason = reason;
        if (_peerRekeyWaiting is { } waiting)
        {
            _peerRekeyWaiting = null;
            waiting.Successor.WaitingPredecessor = null;
            waiting.Successor.Terminate(reason, cause);
            Owner.Touch(waiting.Successor);
        }

        if (!Replaced && cause != TerminationCause.Local)
        {
            Owner.HoldPolicies(this); // before the Child SAs go, so that their policies never do
        }

        foreach (var child in Children.ToList())
        {
            RemoveChild(child, reason);
        }

        Tasks.AbortAll();
        foreach (var kind in _timers.Keys.ToList())
        {
            CancelTimer(kind);
        }

        SetState(IkeSaState.Dead, reason);
        if (!Replaced)
        {
            Emit(new TunnelStateChanged(Tunnel.Name, TunnelState.Down, reason));
        }
    }

    /// <summary>
    /// Closes this SA with a DELETE exchange (§1.4.1): behind the exchange in flight, if any, since the
    /// window is one request. An SA that is not established yet is just dropped.
    /// </summary>
    /// <param name="cause">What the end counts as for the tunnel's supervision (our own decision by default).</param>
    public void Delete(string reason, TerminationCause cause = TerminationCause.Local)
    {
        if (State is IkeSaState.Established or IkeSaState.Rekeyed or IkeSaState.Deleting && Keys is not null)
        {
            if (_closing is null)
            {
                (_closing, _closingCause) = (reason, cause);
            }

            Tasks.QueueDelete(new IkeDeleteTask(this, reason, cause));
        }
        else
        {
            Terminate(reason, cause);
        }
    }

    /// <summary>The daemon stops: a DELETE goes out now, in flight or not (best effort), and the SA ends at once.</summary>
    public void Close(string reason)
    {
        if (State is IkeSaState.Established or IkeSaState.Rekeyed or IkeSaState.Deleting or IkeSaState.Authenticating && Keys is not null)
        {
            Tasks.SendFinalDelete();
        }

        Terminate(reason);
    }

    /// <summary>DPD timer: probe the peer if it has been quiet for the configured delay, else wait for the rest.</summary>
    public void OnDpdTimer()
    {
        if (State != IkeSaState.Established)
        {
            return;
        }

        var quiet = _context.Now - LastReceived;
        if (quiet >= Tunnel.DpdDelay && !Tasks.HasActiveExchange)
        {
            Tasks.Queue(new LivenessTask(this));
            ArmTimer(TimerKind.Dpd, Tunnel.DpdDelay);
        }
        else
        {
            ArmTimer(TimerKind.Dpd, quiet >= Tunnel.DpdDelay ? Tunnel.DpdDelay : Tunnel.DpdDelay - quiet);
        }
    }

    /// <summary>Retransmissions exhausted: the peer is gone (RFC 7296 §2.4).</summary>
    public void OnPeerUnresponsive(IReadOnlyList<IkeTask> abandoned)
    {
        var reason = State == IkeSaState.Established ? "peer not responding (dead peer detection)" : $"peer not responding to {(abandoned.Count > 0 ? abandoned[0].Exchange : (ExchangeType?)null)}";
        if (State == IkeSaState.Established && _closing is null)
        {
            EngineLog.DeadPeer(Logger, Tunnel.DpdAction.ToString().ToLowerInvariant());
        }

        // An unanswered DELETE (operator's down, reload), or one waiting behind the exchange that went
        // unanswered, is still our own decision, not a dead peer.
        Terminate(reason, State == IkeSaState.Deleting || _closing is not null ? _closingCause : TerminationCause.PeerUnresponsive);
    }

    /// <summary>An exchange failed for the whole SA: log it, tell the peer where the RFC says so, end the SA.</summary>
    public void Fail(string exchange, IkeError error)
    {
        EngineLog.ExchangeFailed(Logger, exchange, error.ToString());
        Terminate(error.Reason, TerminationCause.Failed);
    }

    /// <summary>Takes a snapshot for readers on other threads; called by the owner after each input.</summary>
    public void PublishStatus()
        => _status = new IkeSaStatus(Tunnel.Name, State, IsOriginalInitiator, $"{InitiatorSpi:x16}", $"{ResponderSpi:x16}",
            Local, Remote, Tunnel.LocalIdentity.ToString(), PeerIdentity?.ToString(), Proposal, NatLocal, NatRemote,
            UdpEncapsulation, EstablishedAt,
            [.. Children.Select(c => new ChildSaStatus(c.Name, c.ReqId, $"{c.InboundSpi:x8}", $"{c.OutboundSpi:x8}", c.Proposal,
                string.Join(" ", c.LocalTrafficSelectors), string.Join(" ", c.RemoteTrafficSelectors), c.EstablishedAt) { RekeyAt = c.RekeyAt, ExpiresAt = c.ExpiresAt })])
        {
            RekeyAt = Due(TimerKind.IkeRekey),
            ReauthAt = Due(TimerKind.IkeReauth),
            ExpiresAt = Due(TimerKind.IkeExpire),
        };

    private DateTimeOffset? Due(TimerKind kind) => _timers.ContainsKey(kind) ? _due[kind] : null;

    public void Dispose()
    {
        _protection.Dispose();
        Keys?.Dispose();
    }
}
