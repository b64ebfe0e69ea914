using IkeSharp.Engine.Sa;

namespace IkeSharp.Engine.Tunnels;

/// <summary>
/// Reauthentication of the tunnel's IKE SA (RFC 7296 §2.8.3), as strongSwan does it: make-before-break
/// starts a second IKE SA to where the peer is now, with the tunnel's Child SAs, and deletes the old
/// one once that carries them all; break-before-make deletes the old one and initiates once it is
/// gone. A peer that reauthenticates makes the second SA itself: the old one's end is then no
/// tunnel going down (<see cref="CarriedBesides"/>).
/// </summary>
internal sealed partial class Tunnel
{
    /// <summary>IKE SAs closed to be made again (break-before-make): initiated at once when gone.</summary>
    private readonly HashSet<IkeSa> _reauthenticatingByBreak = [];

    /// <summary><paramref name="old"/> is due for reauthentication.</summary>
    public void Reauthenticate(IkeSa old)
    {
        if (_removed || Sas.Any(sa => sa.Reauthenticates is not null && sa.State != IkeSaState.Dead))
        {
            return; // one at a time; the one in flight replaces the newest SA of the chain
        }

        if (!Config.MakeBeforeBreak)
        {
            if (!CanInitiate)
            {
                EngineLog.Reauthenticating(old.Logger, Name, "impossible break-before-make: no remote_addrs to initiate to; the IKE SA stays until its hard lifetime");
                return;
            }

            EngineLog.Reauthenticating(old.Logger, Name, "break-before-make: deleting this IKE SA, then initiating a new one");
            _reauthenticatingByBreak.Add(old);
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

    /// <summary>A reauthenticating SA that is up with every Child SA it was to create: the SA it replaces goes.</summary>
    private void CompleteReauthentication(IkeSa sa)
    {
        if (sa.Reauthenticates is not { } old || sa.State != IkeSaState.Established || sa.Tasks.Any(t => t is Tasks.ChildCreateTask or Tasks.IkeAuthTask))
        {
            return;
        }

        sa.Reauthenticates = null;
        while (old.Successor is { } newer)
        {
            old = newer; // rekeyed while we reauthenticated
        }

        if (old.State is IkeSaState.Established or IkeSaState.Rekeyed && !old.Replaced)
        {
            With(old, () => old.Reauthenticated(sa));
        }
    }

    /// <summary>
    /// Another IKE SA of this tunnel, established with the same peer (or any, for an SA that never
    /// learnt who its peer is), that carries Child SAs: <paramref name="sa"/>'s end is then no tunnel
    /// going down. Returns its SPIs. A peer's reauthentication may still be on its way here from the
    /// provisional tunnel that authenticated it when the peer's DELETE of the old SA arrives, so the
    /// published snapshots of every IKE SA are consulted too.
    /// </summary>
    public string? CarriedBesides(IkeSa sa)
    {
        var peer = sa.PeerIdentity;
        if (Sas.FirstOrDefault(other => other != sa && other.State == IkeSaState.Established && !other.Replaced && other.Children.Count > 0
            && (peer is null || other.PeerIdentity is { } id && id.Matches(peer.Value))) is { } owned)
        {
            return owned.SpiText;
        }

        var self = $"{sa.InitiatorSpi:x16}";
        return _context.ChildSpis.Values.Select(other => other.Status).FirstOrDefault(other => other.Tunnel == Name && other.State == IkeSaState.Established
            && !other.Children.IsEmpty && other.InitiatorSpi != self && (peer is null || other.RemoteIdentity == peer.Value.ToString())) is { } adopting
            ? $"{adopting.InitiatorSpi}_i {adopting.ResponderSpi}_r"
            : null;
    }

    /// <summary>Whether another IKE SA of this tunnel is up or on its way with the same peer: INITIAL_CONTACT (§2.4) is then not sent.</summary>
    public bool HasOtherSa(IkeSa sa) => Sas.Any(other => other != sa && other.State is not IkeSaState.Dead && other.EstablishedAt is not null);
}
