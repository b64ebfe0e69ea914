using System.Buffers;
using System.Net;
using IkeSharp.Crypto;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Tasks;
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
}

/// <summary>
/// One IKE SA: its identity (SPIs, endpoints, role), negotiated keys, Child SAs and the task
/// manager that runs its exchanges. Not thread-safe: the engine serializes every call for one SA
/// through <see cref="Sync"/>; effects accumulate until the engine takes them.
/// </summary>
internal sealed partial class IkeSa : IDisposable
{
    private readonly EngineContext _context;
    private readonly List<EngineEffect> _effects = [];
    private SkProtection? _outbound;
    private SkProtection? _inbound;

    public IkeSa(EngineContext context, TunnelConfig tunnel, bool originalInitiator, ulong initiatorSpi, ulong responderSpi, IPEndPoint local, IPEndPoint remote)
    {
        _context = context;
        Tunnel = tunnel;
        IsOriginalInitiator = originalInitiator;
        InitiatorSpi = initiatorSpi;
        ResponderSpi = responderSpi;
        Local = local;
        Remote = remote;
        Tasks = new TaskManager(this);
        Logger = context.Loggers.CreateLogger("IkeSharp.IkeSa");
        LastReceived = context.Now;
    }

    public object Sync { get; } = new();

    public EngineContext Context => _context;

    public ILogger Logger { get; }

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

    /// <summary>The peer sent INITIAL_CONTACT (§2.4): older IKE SAs with it are stale and go.</summary>
    public bool InitialContactReceived { get; set; }

    /// <summary>Set when the peer's request deleted this SA: ends it once the response is out.</summary>
    public string? DeleteAfterResponse { get; set; }

    /// <summary>Key of this SA in the engine's half-open table: the initiator's SPI and first address (before any float).</summary>
    public (ulong InitiatorSpi, IPEndPoint Remote) HalfOpenKey { get; init; }

    public bool IsHalfOpen => !IsOriginalInitiator && State is IkeSaState.Connecting or IkeSaState.Authenticating;

    /// <summary>Opens the logging scope that gives every event of this SA its structured properties.</summary>
    public IDisposable? BeginLogScope() => Logger.BeginScope(new Dictionary<string, object>
    {
        ["Tunnel"] = Tunnel.Name,
        ["IkeSa"] = SpiText,
        ["Peer"] = Remote.ToString(),
        ["MessageId"] = Tasks.NextRequestId,
    });

    public void Emit(EngineEffect effect) => _effects.Add(effect);

    public List<EngineEffect> TakeEffects()
    {
        var taken = new List<EngineEffect>(_effects);
        _effects.Clear();
        return taken;
    }

    public void ArmTimer(TimerKind kind, TimeSpan delay) => Emit(new ArmTimer(new TimerKey(LocalSpi, Tunnel.Name, kind), delay));

    public void CancelTimer(TimerKind kind) => Emit(new CancelTimer(new TimerKey(LocalSpi, Tunnel.Name, kind)));

    /// <summary>Installs the negotiated suite and keys and turns on SK protection both ways.</summary>
    public void SetKeys(IkeSaCipherSuite suite, string proposal, IkeSaKeys keys)
    {
        Suite = suite;
        Proposal = proposal;
        Keys = keys;
        Prf = Crypto.Prf.Create(suite.Prf);
        var (outE, outA, inE, inA) = IsOriginalInitiator ? (keys.SkEi, keys.SkAi, keys.SkEr, keys.SkAr) : (keys.SkEr, keys.SkAr, keys.SkEi, keys.SkAi);
        _outbound = SkProtection.Create(suite.Encryption, suite.KeyLengthBits, suite.Integrity, outE.Span, outA.Span);
        _inbound = SkProtection.Create(suite.Encryption, suite.KeyLengthBits, suite.Integrity, inE.Span, inA.Span);
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
            Emit(new TunnelStateChanged(Tunnel.Name, TunnelState.Up, detail));
            if (Tunnel.DpdDelay > TimeSpan.Zero)
            {
                ArmTimer(TimerKind.Dpd, Tunnel.DpdDelay);
            }

            if (NatLocal)
            {
                ArmTimer(TimerKind.NatKeepalive, Tunnel.NatKeepalive);
            }

            CancelTimer(TimerKind.HalfOpenTimeout);
        }
    }

    /// <summary>Encodes, protects and sends a message; returns the datagram for retransmission.</summary>
    public SendDatagram Send(MessageBuilder message)
    {
        var flags = (IsOriginalInitiator ? IkeHeaderFlags.Initiator : IkeHeaderFlags.None) | (message.IsResponse ? IkeHeaderFlags.Response : IkeHeaderFlags.None);
        var header = IkeHeader.Create(InitiatorSpi, ResponderSpi, message.Exchange, flags, message.MessageId);
        var marker = Local.Port == Protocol.UdpEncapsulation.NatTraversalPort ? Protocol.UdpEncapsulation.NonEspMarkerLength : 0;
        var buffer = ArrayPool<byte>.Shared.Rent(ushort.MaxValue);
        try
        {
            buffer.AsSpan(0, marker).Clear();
            var ike = buffer.AsSpan(marker);
            var writer = new IkeWriter(ike);
            writer.WriteHeader(header);
            int length;
            if (message.Exchange == ExchangeType.IKE_SA_INIT || _outbound is null)
            {
                foreach (var payload in message.Payloads)
                {
                    writer.WritePayload(payload);
                }

                length = writer.Finish();
            }
            else
            {
                writer.BeginEncryptedPayload(_outbound.IvSize);
                foreach (var payload in message.Payloads)
                {
                    writer.WritePayload(payload);
                }

                var inner = writer.EncryptedInnerLength;
                var ivOffset = writer.EncryptedIvOffset;
                writer.EndEncryptedPayload(_outbound.GetBodyLength(inner) - _outbound.IvSize - inner);
                length = writer.Finish();
                _outbound.Seal(ike[..length], ivOffset, inner);
            }

            var datagram = buffer.AsSpan(0, marker + length).ToArray();
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
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Verifies and decrypts a protected message; false (and counted) when the ICV does not match.</summary>
    public bool TryDecrypt(IkeMessage outer, ReadOnlyMemory<byte> raw, out IkeMessage decrypted, out string problem)
    {
        decrypted = outer;
        problem = "";
        if (outer.Exchange == ExchangeType.IKE_SA_INIT)
        {
            return true;
        }

        if (_inbound is null)
        {
            problem = $"{outer.Exchange} before keys exist";
            return false;
        }

        if (outer.Encrypted is not { } sk)
        {
            problem = outer.EncryptedFragment is not null
                ? "IKE fragmentation (SKF) was not negotiated"
                : "protected exchange without an SK payload";
            return false;
        }

        var copy = raw.ToArray();
        if (!_inbound.TryOpen(copy, sk.BodyOffset, out var inner))
        {
            _context.Statistics.CountIntegrityFailure();
            problem = "integrity check (ICV) failed";
            return false;
        }

        if (!outer.TryWithInnerPayloads(copy.AsMemory(inner), inner.Start.Value, out var withInner, out var error))
        {
            _context.Statistics.CountUndecodable();
            problem = $"decrypted payloads are malformed: {error}";
            return false;
        }

        decrypted = withInner;
        return true;
    }

    /// <summary>Handles a decoded message from the peer (already matched to this SA by SPI).</summary>
    public void Receive(IkeMessage outer, ReadOnlyMemory<byte> raw, IPEndPoint local, IPEndPoint remote)
    {
        // §1.2, §2.2: IKE_SA_INIT is message 0 of a new SA only — never a way to re-key an existing one.
        if (outer.Exchange == ExchangeType.IKE_SA_INIT
            && (outer.Header.MessageId != 0 || (outer.IsResponse ? !IsOriginalInitiator || State != IkeSaState.Connecting : IsOriginalInitiator)))
        {
            _context.Statistics.CountUnexpected();
            EngineLog.Dropped(Logger, remote, $"{outer}: IKE_SA_INIT does not belong to an IKE SA in state {State}");
            return;
        }

        if (!TryDecrypt(outer, raw, out var message, out var problem))
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

    /// <summary>Responder tasks for a request, by exchange (strongSwan's task_manager_v2 does the same).</summary>
    public IkeTask[] CreateResponderTasks(IkeMessage request) => request.Exchange switch
    {
        ExchangeType.IKE_SA_INIT => [new IkeInitTask(this, initiator: false)],
        ExchangeType.IKE_AUTH => [new IkeAuthTask(this, initiator: false), new ChildCreateTask(this, initiator: false, child: null, ExchangeType.IKE_AUTH)],
        ExchangeType.CREATE_CHILD_SA => [new ChildCreateTask(this, initiator: false, child: null, ExchangeType.CREATE_CHILD_SA)],
        ExchangeType.INFORMATIONAL => [new InformationalResponderTask(this)],
        _ => [],
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

    public void AddChild(ChildSa child, ChildSaInstallation installation)
    {
        Children.Add(child);
        Emit(new InstallChildSa(installation));
        EngineLog.ChildEstablished(Logger, child.Name, $"{child.InboundSpi:x8}", $"{child.OutboundSpi:x8}",
            string.Join(" ", child.LocalTrafficSelectors), string.Join(" ", child.RemoteTrafficSelectors), child.Proposal);
    }

    public void RemoveChild(ChildSa child, string reason)
    {
        if (Children.Remove(child))
        {
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

        Cause = cause;
        foreach (var child in Children.ToList())
        {
            RemoveChild(child, reason);
        }

        Tasks.AbortAll();
        foreach (var kind in Enum.GetValues<TimerKind>().Where(k => k != TimerKind.Reconnect))
        {
            CancelTimer(kind);
        }

        SetState(IkeSaState.Dead, reason);
        Emit(new TunnelStateChanged(Tunnel.Name, TunnelState.Down, reason));
    }

    /// <summary>Starts a DELETE exchange for this SA (graceful close, §1.4.1); a dead SA is just dropped.</summary>
    public void Delete(string reason)
    {
        if (State is IkeSaState.Established or IkeSaState.Authenticating && Keys is not null)
        {
            Tasks.AbortAll();
            Tasks.Queue(new IkeDeleteTask(this, reason));
        }
        else
        {
            Terminate(reason);
        }
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
        if (State == IkeSaState.Established)
        {
            EngineLog.DeadPeer(Logger, Tunnel.DpdAction.ToString().ToLowerInvariant());
        }

        // An unanswered DELETE (operator's down, shutdown) is still our own decision, not a dead peer.
        Terminate(reason, State == IkeSaState.Deleting ? TerminationCause.Local : TerminationCause.PeerUnresponsive);
    }

    /// <summary>An exchange failed for the whole SA: log it, tell the peer where the RFC says so, end the SA.</summary>
    public void Fail(string exchange, IkeError error)
    {
        EngineLog.ExchangeFailed(Logger, exchange, error.ToString());
        Terminate(error.Reason, TerminationCause.Failed);
    }

    public void Dispose()
    {
        _outbound?.Dispose();
        _inbound?.Dispose();
        Keys?.Dispose();
    }
}
