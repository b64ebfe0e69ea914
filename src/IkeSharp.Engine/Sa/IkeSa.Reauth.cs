using IkeSharp.Engine.Configuration;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Sa;

/// <summary>
/// Reauthentication (RFC 7296 §2.8.3): a rekey renews keys, not trust, so after <c>reauth_time</c>
/// a new IKE SA is made with fresh IKE_SA_INIT and IKE_AUTH, carrying new Child SAs, and the old one
/// goes. The deadline survives IKE rekeys, as in strongSwan. The tunnel makes the new SA
/// (<see cref="Tunnels.Tunnel.Reauthenticate"/>); this SA knows when, and how it is replaced.
/// </summary>
internal sealed partial class IkeSa
{
    /// <summary>How long after a failed reauthentication it is tried again, while the old SA lives.</summary>
    private static readonly TimeSpan ReauthRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>When this SA, or the one it was rekeyed from, is due for reauthentication; null without reauth_time.</summary>
    public DateTimeOffset? ReauthDue { get; private set; }

    /// <summary>While this SA reauthenticates another (make-before-break): that SA, deleted once this one carries the Child SAs.</summary>
    public IkeSa? Reauthenticates
    {
        get;
        set
        {
            field = value;
            IsReauthentication |= value is not null;
        }
    }

    /// <summary>Whether we made this SA to reauthenticate another (it stays so once that is done).</summary>
    public bool IsReauthentication { get; private set; }

    /// <summary>
    /// The identity the peer must prove, and is asked for in IDr: while reauthenticating, the one it
    /// proved on the SA being replaced (so that a peer with several tunnels to us picks the same one);
    /// else the configured one, if any.
    /// </summary>
    public Identity? ExpectedPeerIdentity => Reauthenticates?.Newest.PeerIdentity ?? Tunnel.RemoteIdentity;

    /// <summary>Arms the reauthentication (reauth_time less up to rand_time, once per chain of rekeys) and returns its deadline, if any.</summary>
    private DateTimeOffset? ArmReauthTimer()
    {
        var life = Tunnel.IkeLifetime;
        if (life.ReauthTime <= TimeSpan.Zero)
        {
            return null;
        }

        ReauthDue ??= _context.Now + ChildLifetime.Randomized(life.ReauthTime, life.RandTime);
        var delay = ReauthDue.Value - _context.Now;
        ArmTimer(TimerKind.IkeReauth, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        return ReauthDue;
    }

    private void OnIkeReauthTimer()
    {
        if (State == IkeSaState.Established && !Replaced && _closing is null && !Tasks.Has<Tasks.IkeDeleteTask>())
        {
            Owner.Reauthenticate(this);
        }
    }

    /// <summary>The new IKE SA of our reauthentication failed: this one stays, and it is tried again shortly.</summary>
    public void ReauthenticationFailed(string reason)
    {
        if (State == IkeSaState.Established && !Replaced && _closing is null && !Tasks.Has<Tasks.IkeDeleteTask>())
        {
            EngineLog.ReauthenticationFailed(Logger, Tunnel.Name, reason, ReauthRetryDelay);
            ArmTimer(TimerKind.IkeReauth, ReauthRetryDelay);
        }
    }

    /// <summary>
    /// Of two new IKE SAs made at once by both sides' reauthentications, whether this one is the
    /// redundant one: the rule of §2.8.1 for rekeys, so that a peer following it picks the same.
    /// </summary>
    public bool IsRedundantBeside(IkeSa twin) => Loses(LowerOf(NonceI, NonceR), LowerOf(twin.NonceI, twin.NonceR));

    /// <summary>Both sides reauthenticated at once and this SA, ours, lost: the peer's carries the Child SAs, this one goes.</summary>
    public void YieldTo(IkeSa twin)
    {
        EngineLog.ReauthenticationCollision(Logger, Tunnel.Name, SpiText, twin.SpiText);
        Reauthenticates = null;
        Supersede($"redundant beside [{twin.SpiText}]");
        Delete("both sides reauthenticated at once (§2.8.1 nonces)");
    }

    /// <summary>
    /// <paramref name="replacement"/>, our reauthentication of this SA, is up with its Child SAs: this
    /// SA goes (a DELETE of the IKE SA closes its Child SAs on both sides), and its end is no tunnel going down.
    /// </summary>
    public void Reauthenticated(IkeSa replacement)
    {
        EngineLog.IkeReauthenticated(Logger, Tunnel.Name, SpiText, replacement.SpiText, replacement.Children.Count);
        Supersede($"reauthenticated as [{replacement.SpiText}]");
        Delete("reauthenticated");
    }
}
