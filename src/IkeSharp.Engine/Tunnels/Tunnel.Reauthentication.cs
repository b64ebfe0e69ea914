using System.Net;
using IkeSharp.Engine.Sa;

namespace IkeSharp.Engine.Tunnels;

/// <summary>
/// Reauthentication of the tunnel's IKE SAs (RFC 7296 §2.8.3), as strongSwan does it: make-before-break
/// starts a second IKE SA to where the peer is now, with the tunnel's Child SAs, and deletes the old
/// one once that carries them all; break-before-make deletes the old one and initiates once it is
/// gone. Each IKE SA of the tunnel (a responder tunnel may have one per peer) is reauthenticated on
/// its own. A peer that reauthenticates makes the second SA itself: the old one's end is then no
/// tunnel going down (<see cref="CarriedBesides"/>).
/// </summary>
internal sealed partial class Tunnel
{
    /// <summary>IKE SAs closed to be made again (break-before-make), with where their peer was: initiated there at once when gone.</summary>
    private readonly Dictionary<IkeSa, (IPEndPoint Local, IPEndPoint Remote)> _reauthenticatingByBreak = [];

    /// <summary>
    /// Where a break-before-make reauthentication initiates until one of its attempts is up: failed
    /// attempts are retried there per <c>keyingtries</c>, also for a tunnel nobody asked to be up.
    /// </summary>
    private (IPEndPoint Local, IPEndPoint Remote)? _reauthTarget;

    /// <summary><paramref name="old"/> is due for reauthentication.</summary>
    public void Reauthenticate(IkeSa old)
    {
        if (_removed || ReauthenticationOf(old) is not null)
        {
            return; // the one in flight, begun before a rekey of this SA, replaces the newest SA of the chain
        }

        if (!Config.MakeBeforeBreak)
        {
            EngineLog.Reauthenticating(old.Logger, Name, $"break-before-make: deleting this IKE SA, then initiating a new one to {old.Remote}");
            _reauthenticatingByBreak[old] = (old.Local, old.Remote);
            old.Delete("reauthenticating (break-before-make)");
            return;
        }

        // Where the peer is now: that also reaches a peer that initiated to us from an address not configured.
        var sa = _engine.CreateInitiatorSa(this, Config, old.Local, old.Remote);
        sa.Reauthenticates = old;
        Own(sa);
        With(sa, () =>
        {
            EngineLog.Reauthenticating(sa.Logger, Name, $"make-before-break: new IKE SA to {old.Remote} while [{old.SpiText}] carries the traffic");
            sa.StartInitiating();
        });
    }

    /// <summary>Our make-before-break reauthentication in flight of <paramref name="sa"/>, or of an SA it was rekeyed from.</summary>
    private IkeSa? ReauthenticationOf(IkeSa sa)
    {
        var newest = sa.Newest;
        return Sas.FirstOrDefault(other => other.State != IkeSaState.Dead && other.Reauthenticates is { } target && target.Newest == newest);
    }

    /// <summary>
    /// A reauthenticating SA that is up and done creating Child SAs: if it carries every Child SA of
    /// the SA it replaces, that one goes; if not, deleting that one would take the missing ones down,
    /// so the new SA goes instead and the reauthentication is tried again (<see cref="OnSaEnded"/>).
    /// </summary>
    private void CompleteReauthentication(IkeSa sa)
    {
        if (sa.Reauthenticates is not { } target || sa.State != IkeSaState.Established
            || sa.Tasks.Any(t => t is Tasks.ChildCreateTask or Tasks.IkeAuthTask or Tasks.IkeDeleteTask))
        {
            return;
        }

        var old = target.Newest; // rekeyed while we reauthenticated
        if (old.State is not (IkeSaState.Established or IkeSaState.Rekeyed) || old.Replaced)
        {
            sa.Reauthenticates = null; // gone meanwhile (the peer deleted it): the new SA simply carries on
            return;
        }

        var missing = old.Children.Select(c => c.Name).Except(sa.Children.Select(c => c.Name)).ToList();
        if (missing.Count > 0)
        {
            With(sa, () => sa.Delete($"reauthentication incomplete: CHILD_SA {string.Join(", ", missing)} not created on the new IKE SA"));
            return;
        }

        sa.Reauthenticates = null;
        With(old, () => old.Reauthenticated(sa));
    }

    /// <summary>
    /// Another IKE SA of this tunnel that carries <paramref name="sa"/>'s traffic on when it ends, so that
    /// its end is no tunnel going down: an established one of the same peer (or any, for an SA that
    /// never learnt who its peer is) with Child SAs, or our reauthentication of it still on its way.
    /// Returns its SPIs. A peer's reauthentication may still be on its way here from the provisional
    /// tunnel that authenticated it when the peer's DELETE of the old SA arrives, so the published
    /// snapshots of every IKE SA are consulted too.
    /// </summary>
    public string? CarriedBesides(IkeSa sa)
    {
        var peer = sa.PeerIdentity;
        if (Sas.FirstOrDefault(other => other != sa && other.State == IkeSaState.Established && !other.Replaced && other.Children.Count > 0
            && (peer is null || other.PeerIdentity is { } id && id.Matches(peer.Value))) is { } owned)
        {
            return owned.SpiText;
        }

        if (ReauthenticationOf(sa) is { } reauthenticating && reauthenticating != sa)
        {
            return $"{reauthenticating.SpiText}, still authenticating";
        }

        var self = $"{sa.InitiatorSpi:x16}";
        return _context.ChildSpis.Values.Select(other => other.Status).FirstOrDefault(other => other.Tunnel == Name && other.State == IkeSaState.Established
            && !other.Children.IsEmpty && other.InitiatorSpi != self && (peer is null || other.RemoteIdentity == peer.Value.ToString())) is { } adopting
            ? $"{adopting.InitiatorSpi}_i {adopting.ResponderSpi}_r"
            : null;
    }

    /// <summary>
    /// Whether the peer holds another IKE SA with us that INITIAL_CONTACT (§2.4) would make it delete:
    /// one of this tunnel's, or of another tunnel between the same identities. It is then not sent.
    /// </summary>
    public bool HasOtherSa(IkeSa sa)
        => Sas.Any(other => other != sa && other.State is not IkeSaState.Dead && other.EstablishedAt is not null) || _engine.PeerHasSaOfAnotherTunnel(sa);

    /// <summary>How long our redundant twin waits for the peer to delete its own (strongSwan's uniqueness rule may) before it goes.</summary>
    private static readonly TimeSpan TwinGrace = TimeSpan.FromSeconds(10);

    /// <summary>How long after it was made a new IKE SA may turn out to be a twin.</summary>
    private static readonly TimeSpan TwinWindow = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Both sides reauthenticated at once: our new IKE SA and the peer's, made while the other was
    /// on its way, both carry the Child SAs. The one with the lowest nonce is redundant (§2.8.1's rule,
    /// which an IkeSharp peer applies too); if that is ours, it goes after <see cref="TwinGrace"/>,
    /// unless the peer deleted its own meanwhile. If it is the peer's, the peer deletes it.
    /// </summary>
    private void CheckReauthenticationTwin(IkeSa sa)
    {
        if (ReauthenticationTwins(sa) is var (ours, theirs) && ours.IsRedundantBeside(theirs) && !ours.IsArmed(TimerKind.ReauthTwin))
        {
            ours.ArmTimer(TimerKind.ReauthTwin, TwinGrace);
        }
    }

    /// <summary>Our redundant twin's grace is over: it goes if the peer's twin is still there.</summary>
    public void ResolveReauthenticationTwin(IkeSa ours)
    {
        if (ReauthenticationTwins(ours) is var (_, theirs) && ours.IsRedundantBeside(theirs))
        {
            ours.YieldTo(theirs);
        }
    }

    private (IkeSa Ours, IkeSa Theirs)? ReauthenticationTwins(IkeSa sa)
    {
        bool Fresh(IkeSa s) => s.State == IkeSaState.Established && !s.Replaced && s.Children.Count > 0 && _context.Now - s.CreatedAt < TwinWindow;
        bool Ours(IkeSa s) => s.IsReauthentication;
        bool Theirs(IkeSa s) => !s.IsOriginalInitiator && !s.MadeByRekey;
        if (!Fresh(sa) || !(Ours(sa) || Theirs(sa)))
        {
            return null;
        }

        var twin = Sas.FirstOrDefault(other => other != sa && Fresh(other) && (Ours(sa) ? Theirs(other) : Ours(other))
            && other.CreatedAt <= sa.EstablishedAt && sa.CreatedAt <= other.EstablishedAt
            && other.PeerIdentity is { } id && sa.PeerIdentity is { } peer && id.Matches(peer));
        return twin is null ? null : Ours(sa) ? (sa, twin) : (twin, sa);
    }

    /// <summary>The reauthentication <paramref name="sa"/> was to do ended without replacing its SA: that SA, or its successor, carries on.</summary>
    private void ReauthenticationEnded(IkeSa sa, IkeSa target)
    {
        sa.Reauthenticates = null;
        var old = target.Newest;
        if (old.State != IkeSaState.Dead)
        {
            With(old, () => old.ReauthenticationFailed(sa.EndReason ?? "it ended"));
        }
        else if (_wanted && !_removed && CanInitiate)
        {
            ScheduleReconnect(_context.Options.ReconnectDelay, $"the reauthentication failed ({sa.EndReason}) after the IKE SA it was to replace went");
        }
    }

    /// <summary>A break-before-make reauthentication's old SA is gone: the new one is initiated to where the peer was.</summary>
    private void ReauthenticateByBreak((IPEndPoint Local, IPEndPoint Remote) target)
    {
        if (_removed)
        {
            return;
        }

        _reauthTarget = target;
        _attempts = 0;
        Initiate(target.Local, target.Remote);
    }
}
