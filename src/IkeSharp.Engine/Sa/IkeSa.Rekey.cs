using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Tasks;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Sa;

/// <summary>
/// Rekeying: the lifetimes of the IKE SA and its Child SAs, the rekeys they start, and what is
/// decided when both sides rekeyed the same SA at once (RFC 7296 §2.8.1, §2.8.2, §2.25).
/// </summary>
internal sealed partial class IkeSa
{
    /// <summary>How long after the peer's TEMPORARY_FAILURE a rekey is tried again (plus up to as much at random, so the two sides do not collide again).</summary>
    private static readonly TimeSpan RekeyRetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>How long a replaced IKE SA waits for the peer's DELETE before it sends its own.</summary>
    private static readonly TimeSpan ReplacedSaGrace = TimeSpan.FromSeconds(30);

    /// <summary>Pairs (by inbound SPI) whose rekey we queued, so both directions' soft limits start one.</summary>
    private readonly HashSet<uint> _rekeying = [];

    /// <summary>Completed rekeys of a pair (by the old inbound SPI): a second one is a collision.</summary>
    private readonly Dictionary<uint, ChildRekey> _rekeys = [];

    /// <summary>Pairs (by inbound SPI) that lost a rekey collision: their creator deletes them, nobody rekeys them.</summary>
    private readonly HashSet<uint> _redundant = [];

    /// <summary>Pairs (by inbound SPI, with their child) the peer asked us to rekey later (TEMPORARY_FAILURE).</summary>
    private readonly Dictionary<uint, ChildConfig> _postponedRekeys = [];

    /// <summary>How long after its start this SA is deleted if neither a rekey nor a reauthentication replaced it.</summary>
    private TimeSpan _hardLifetime;

    /// <summary>The peer's rekey of this SA, answered while ours was in flight: the nonces decide once ours is done.</summary>
    private IkeRekey? _peerRekeyWaiting;

    /// <summary>The IKE SA that replaced this one in a rekey; its Child SAs are there now.</summary>
    public IkeSa? Successor { get; private set; }

    /// <summary>The last of this SA's chain of rekeys: this one, or the SA its successors were rekeyed into.</summary>
    public IkeSa Newest
    {
        get
        {
            var sa = this;
            while (sa.Successor is { } newer)
            {
                sa = newer;
            }

            return sa;
        }
    }

    /// <summary>
    /// While this SA is the peer's rekey of another that waits for ours to decide (§2.8.2): that SA,
    /// which still holds the Child SAs the peer already sees here.
    /// </summary>
    public IkeSa? WaitingPredecessor { get; private set; }

    /// <summary>This SA was replaced (or lost a rekey collision): its end is no tunnel going down.</summary>
    public bool Replaced { get; private set; }

    /// <summary>A new SA made by rekeying <paramref name="old"/> has its peer's identity and addresses.</summary>
    public void InheritFrom(IkeSa old)
    {
        NatLocal = old.NatLocal;
        NatRemote = old.NatRemote;
        PeerIdentity = old.PeerIdentity;
        PeerSignatureHashes = old.PeerSignatureHashes;
        ReauthDue = old.ReauthDue;
        MadeByRekey = true;
    }

    /// <summary>Whether this SA was made by a rekey (CREATE_CHILD_SA) rather than by IKE_SA_INIT.</summary>
    public bool MadeByRekey { get; private set; }

    /// <summary>Arms the IKE SA's rekey and hard lifetime once it is established (strongSwan: rekey_time less up to rand_time).</summary>
    private void ArmLifetimeTimers()
    {
        var life = Tunnel.IkeLifetime;
        TimeSpan? first = null;
        if (life.RekeyTime > TimeSpan.Zero)
        {
            first = ChildLifetime.Randomized(life.RekeyTime, life.RandTime);
            ArmTimer(TimerKind.IkeRekey, first.Value);
        }

        if (ArmReauthTimer() is { } reauth)
        {
            var due = TimeSpan.FromTicks(Math.Max(0, (reauth - _context.Now).Ticks));
            first = first is { } rekey && rekey < due ? rekey : due;
        }

        // Hard limit, as strongSwan's: over_time after the first of the rekey and the reauthentication, if that did not replace the SA.
        if (first is { } soft)
        {
            _hardLifetime = soft + life.OverTime;
            ArmTimer(TimerKind.IkeExpire, _hardLifetime);
        }
    }

    /// <summary>The operator asks for a rekey: of this IKE SA, or of its Child SAs (those named <paramref name="child"/>, or all).</summary>
    public void RekeyNow(string? child, bool ike)
    {
        if (ike)
        {
            EngineLog.IkeRekeying(Logger, Tunnel.Name, "requested by the operator");
            OnIkeRekeyTimer();
            return;
        }

        foreach (var pair in Children.Where(c => child is null || c.Name == child).ToList())
        {
            EngineLog.ChildRekeyRequested(Logger, pair.Name, $"{pair.InboundSpi:x8}");
            Rekey(pair);
        }
    }

    private void OnIkeRekeyTimer()
    {
        if (State == IkeSaState.Established && !Tasks.Has<IkeRekeyTask>() && !Tasks.Has<IkeDeleteTask>())
        {
            Tasks.Queue(new IkeRekeyTask(this, initiator: true));
        }
    }

    private void OnIkeExpireTimer()
    {
        if (State == IkeSaState.Rekeyed)
        {
            Delete("replaced by a rekey; the peer did not delete it");
            return;
        }

        EngineLog.IkeHardExpired(Logger, Tunnel.Name, _hardLifetime.TotalSeconds);
        Delete("hard lifetime reached", TerminationCause.Expired);
    }

    /// <summary>The peer answered our IKE rekey with TEMPORARY_FAILURE (§2.25): tried again shortly.</summary>
    public void PostponeIkeRekey()
    {
        var delay = RetryDelay();
        EngineLog.RekeyPostponed(Logger, $"IKE_SA {Tunnel.Name} rekey", delay);
        ArmTimer(TimerKind.IkeRekey, delay);
    }

    /// <summary>The peer answered our rekey of <paramref name="child"/> with TEMPORARY_FAILURE: tried again shortly, here or on our successor.</summary>
    public void PostponeChildRekey(ChildSa child)
    {
        _rekeying.Remove(child.InboundSpi);
        _postponedRekeys[child.InboundSpi] = child.Config;
        var delay = RetryDelay();
        EngineLog.RekeyPostponed(Logger, $"CHILD_SA {child.Name} rekey", delay);
        ArmTimer(TimerKind.ChildRekeyRetry, delay);
    }

    private void OnChildRekeyRetryTimer()
    {
        foreach (var (spi, config) in _postponedRekeys.ToList())
        {
            _postponedRekeys.Remove(spi);
            if (Children.FirstOrDefault(c => c.InboundSpi == spi) is { } child)
            {
                Rekey(child);
            }
            else
            {
                RecreateIfGone(config); // the peer deleted the pair meanwhile, without a replacement
            }
        }
    }

    private static TimeSpan RetryDelay() => RekeyRetryDelay + TimeSpan.FromMilliseconds(Random.Shared.Next((int)RekeyRetryDelay.TotalMilliseconds));

    /// <summary>
    /// The datapath reports that the Child SA with inbound or outbound SPI <paramref name="spi"/>
    /// reached a lifetime (kernel EXPIRE). Soft: it is due for a rekey. Hard: the SA is gone from the
    /// datapath, so the Child SA is deleted with the peer too.
    /// </summary>
    public void OnChildLifetime(uint spi, bool hard)
    {
        if (Children.FirstOrDefault(c => c.InboundSpi == spi || c.OutboundSpi == spi) is not { } child)
        {
            return;
        }

        if (!hard)
        {
            EngineLog.ChildSoftExpired(Logger, child.Name, $"{spi:x8}");
            Rekey(child);
            return;
        }

        EngineLog.ChildHardExpired(Logger, child.Name, $"{spi:x8}");
        Tasks.Queue(new ChildDeleteTask(this, child, "hard lifetime reached", recreate: true));
    }

    /// <summary>
    /// A Child SA went without a replacement (the peer deleted it outside a rekey, or it reached its
    /// hard lifetime): with close_action = start (which start_action = start implies) it is created
    /// again on this IKE SA; with trap, its trap policies catch the next packet, which does the same.
    /// A pair that a rekey replaced leaves its successor, so nothing is done.
    /// </summary>
    public void RecreateIfGone(ChildConfig config)
    {
        switch (Tunnel.EffectiveCloseAction)
        {
            case CloseAction.Start:
                CreateIfMissing(config, "while the tunnel is to stay up (close_action = start)");
                break;
            case CloseAction.Trap when Tunnel.StartAction != StartAction.Trap && !Children.Any(c => c.Name == config.Name):
                Owner.InstallTraps(); // a trap tunnel keeps its traps all along
                break;
        }
    }

    /// <summary>Creates <paramref name="config"/>'s Child SA on this IKE SA unless it is here or on its way.</summary>
    public void CreateIfMissing(ChildConfig config, string why)
    {
        if (State == IkeSaState.Established && !Replaced && DeleteAfterResponse is null && !Children.Any(c => c.Name == config.Name)
            && !Tasks.Any(t => t is ChildCreateTask { Child: var pending } && pending?.Name == config.Name) && Tunnel.Children.Any(c => c.Name == config.Name))
        {
            EngineLog.ChildRecreating(Logger, config.Name, why);
            Tasks.Queue(new ChildCreateTask(this, initiator: true, config, ExchangeType.CREATE_CHILD_SA));
        }
    }

    /// <summary>We are closing <paramref name="child"/>: it lost a rekey collision, or its DELETE is queued or in flight.</summary>
    public bool IsBeingClosed(ChildSa child)
        => _redundant.Contains(child.InboundSpi) || Tasks.Any(t => t is ChildDeleteTask d && d.Child == child);

    /// <summary>Whether a rekey of ours may still go out for <paramref name="child"/>: it is here, not replaced, not being closed.</summary>
    public bool MayRekey(ChildSa child) => Children.Contains(child) && !_rekeys.ContainsKey(child.InboundSpi) && !IsBeingClosed(child);

    /// <summary>A queued rekey of <paramref name="child"/> was dropped: a later soft limit may start another.</summary>
    public void ForgetRekey(ChildSa child) => _rekeying.Remove(child.InboundSpi);

    /// <summary>
    /// Queues a rekey of <paramref name="child"/>: once per pair (both directions report their soft
    /// limit), and not when the peer's rekey already replaced it (its DELETE is on the way).
    /// </summary>
    private void Rekey(ChildSa child)
    {
        if (State == IkeSaState.Established && MayRekey(child) && _rekeying.Add(child.InboundSpi))
        {
            Tasks.Queue(new ChildCreateTask(this, initiator: true, child.Config, ExchangeType.CREATE_CHILD_SA, rekeying: child));
        }
    }

    /// <summary>
    /// <paramref name="replacement"/> took over from <paramref name="old"/>, which goes once its DELETE
    /// exchange is done. A second rekey of the same pair (ours and the peer's crossed) is a collision,
    /// §2.8.1: the pair created with the lowest of the four nonces is redundant and deleted by the side
    /// that created it, so each side ends with the same one pair. Returns whether
    /// <paramref name="replacement"/> is the pair that stays (no collision, or it won one): only then
    /// does its creator delete the old pair, or the peer, whose winning pair may still be on its way,
    /// would be left with none.
    /// </summary>
    public bool ChildRekeyed(ChildSa old, ChildSa replacement, bool ours, byte[] nonceI, byte[] nonceR)
    {
        EngineLog.ChildRekeyed(Logger, old.Name, $"{old.InboundSpi:x8}", $"{old.OutboundSpi:x8}", $"{replacement.InboundSpi:x8}", $"{replacement.OutboundSpi:x8}");
        var rekey = new ChildRekey(replacement, ours, LowerOf(nonceI, nonceR));
        if (!_rekeys.TryGetValue(old.InboundSpi, out var other))
        {
            _rekeys[old.InboundSpi] = rekey;
            return true;
        }

        var (loser, winner) = Loses(rekey.LowestNonce, other.LowestNonce) ? (rekey, other) : (other, rekey);
        EngineLog.ChildRekeyCollision(Logger, old.Name, $"{winner.Replacement.InboundSpi:x8}", $"{loser.Replacement.InboundSpi:x8}",
            loser.Ours ? "ours has the lowest nonce: deleting it" : "the peer's has the lowest nonce: the peer deletes it");
        if (Children.Contains(old))
        {
            _rekeys[old.InboundSpi] = winner;
        }
        else
        {
            _rekeys.Remove(old.InboundSpi); // the peer already deleted the old pair
        }

        _redundant.Add(loser.Replacement.InboundSpi);
        if (loser.Ours)
        {
            Tasks.Queue(new ChildDeleteTask(this, loser.Replacement, "rekey collision (§2.8.1)"));
        }

        return winner == rekey;
    }

    /// <summary>
    /// A rekey of this IKE SA completed: ours (its response arrived) or the peer's (our answer is
    /// out). <paramref name="successor"/> is established and owned by the tunnel. When both sides
    /// rekeyed at once (§2.8.2) the two new SAs are compared once both exist: the one created with the
    /// lowest of the four nonces is redundant and deleted by its creator; the Child SAs move to the
    /// other, whose creator deletes this SA.
    /// </summary>
    public void IkeRekeyCompleted(IkeSa successor, bool ours, byte[] nonceI, byte[] nonceR)
    {
        successor.SetState(IkeSaState.Established, $"IKE_SA {Tunnel.Name}[{successor.SpiText}] established by rekeying [{SpiText}]");
        Owner.AdoptRekeyedSa(successor);
        var rekey = new IkeRekey(successor, ours, LowerOf(nonceI, nonceR));
        if (!ours && Tasks.ActiveTasks.Any(t => t is IkeRekeyTask))
        {
            _peerRekeyWaiting = rekey;
            successor.WaitingPredecessor = this;
            return;
        }

        if (ours && _peerRekeyWaiting is { } theirs)
        {
            _peerRekeyWaiting = null;
            theirs.Successor.WaitingPredecessor = null;
            var (loser, winner) = Loses(rekey.LowestNonce, theirs.LowestNonce) ? (rekey, theirs) : (theirs, rekey);
            EngineLog.IkeRekeyCollision(Logger, Tunnel.Name, $"[{winner.Successor.SpiText}]", $"[{loser.Successor.SpiText}]",
                loser.Ours ? "ours has the lowest nonce: deleting it" : "the peer's has the lowest nonce: the peer deletes it");
            loser.Successor.Supersede();
            if (loser.Ours)
            {
                loser.Successor.Delete("IKE rekey collision (§2.8.2)");
            }

            rekey = winner;
        }

        ReplaceWith(rekey);
    }

    /// <summary>
    /// The peer deletes this SA. While our rekey of it is in flight (§2.25.2), a rekey of the peer's we
    /// answered takes over. While this SA is the peer's rekey waiting for ours to decide, the peer has
    /// decided first (it holds both new SAs): this one lost the collision, and ours is the successor.
    /// </summary>
    public void OnDeleteWhileRekeying()
    {
        // Not when the peer rekeyed this SA meanwhile: then this DELETE ends a replaced SA.
        if (WaitingPredecessor is { } predecessor && !Replaced)
        {
            predecessor._peerRekeyWaiting = null;
            WaitingPredecessor = null;
            EngineLog.IkeRekeyCollision(Logger, Tunnel.Name, "the SA of our rekey in flight", $"[{SpiText}]", "the peer's has the lowest nonce: the peer deleted it");
            Supersede();
            return;
        }

        if (_peerRekeyWaiting is { } theirs)
        {
            _peerRekeyWaiting = null;
            theirs.Successor.WaitingPredecessor = null;
            ReplaceWith(theirs);
        }
    }

    /// <summary>
    /// <paramref name="rekey"/>'s SA replaces this one: the Child SAs (with their rekey state) and the
    /// exchanges not yet started move there; this SA is deleted by the rekey's initiator.
    /// </summary>
    private void ReplaceWith(IkeRekey rekey)
    {
        // The new SA may have been rekeyed itself before this one handed over (the peer's rekey we
        // answered waited on ours, and the peer went on): the Child SAs go to the newest.
        var successor = rekey.Successor.Newest;
        Successor = successor;
        SetState(IkeSaState.Rekeyed, $"replaced by [{successor.SpiText}]");
        Supersede();
        EngineLog.IkeRekeyed(Logger, Tunnel.Name, SpiText, successor.SpiText, Children.Count);
        foreach (var child in Children)
        {
            successor.Children.Add(child);
            _context.ChildSpis[child.InboundSpi] = successor;
            _context.ChildSpis[child.OutboundSpi] = successor;
        }

        Children.Clear();
        successor._rekeying.UnionWith(_rekeying);
        successor._redundant.UnionWith(_redundant);
        foreach (var (spi, childRekey) in _rekeys)
        {
            successor._rekeys[spi] = childRekey;
        }

        if (_postponedRekeys.Count > 0)
        {
            foreach (var (spi, config) in _postponedRekeys)
            {
                successor._postponedRekeys[spi] = config;
            }

            successor.ArmTimer(TimerKind.ChildRekeyRetry, RetryDelay());
        }

        _rekeying.Clear();
        _redundant.Clear();
        _rekeys.Clear();
        _postponedRekeys.Clear();
        Tasks.MoveQueuedTo(successor);
        Owner.Touch(successor);
        if (rekey.Ours)
        {
            Tasks.QueueDelete(new IkeDeleteTask(this, "rekeyed"));
        }
    }

    /// <summary>This SA goes without taking the tunnel down: no more timers but the DELETE's, and a deadline for the peer's DELETE.</summary>
    private void Supersede(string why = "redundant after a rekey collision")
    {
        if (Replaced)
        {
            return;
        }

        Replaced = true;
        foreach (var kind in new[] { TimerKind.Dpd, TimerKind.NatKeepalive, TimerKind.IkeRekey, TimerKind.IkeExpire, TimerKind.ChildRekeyRetry, TimerKind.IkeReauth })
        {
            CancelTimer(kind);
        }

        ArmTimer(TimerKind.IkeExpire, ReplacedSaGrace);
        if (State == IkeSaState.Established)
        {
            SetState(IkeSaState.Rekeyed, why);
        }
    }

    private static byte[] LowerOf(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b) < 0 ? a : b;

    /// <summary>§2.8.1: of two rekeys, the one whose lower nonce is the lowest of the four is redundant.</summary>
    private static bool Loses(byte[] lowestNonce, byte[] otherLowestNonce) => lowestNonce.AsSpan().SequenceCompareTo(otherLowestNonce) < 0;

    /// <summary>A completed rekey of one pair: what it created, whether we initiated it, and the lower of its two nonces.</summary>
    private sealed record ChildRekey(ChildSa Replacement, bool Ours, byte[] LowestNonce);

    /// <summary>A completed rekey of this IKE SA: the new SA, whether we initiated it, and the lower of its two nonces.</summary>
    private sealed record IkeRekey(IkeSa Successor, bool Ours, byte[] LowestNonce);
}
