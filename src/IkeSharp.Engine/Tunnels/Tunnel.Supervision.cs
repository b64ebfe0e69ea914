using System.Net;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Sa;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tunnels;

/// <summary>
/// Supervision: the start action, <c>keyingtries</c> with backoff, <c>dpd_action</c>, operator
/// up/down, and the restart of a tunnel a reload changed, once its old SAs are gone.
/// </summary>
internal sealed partial class Tunnel
{
    /// <summary>The operator or the start action wants the tunnel up; a failed attempt is then retried.</summary>
    private bool _wanted;

    /// <summary>Trap policies of the start, close or dpd action are installed.</summary>
    private bool _trapped;

    /// <summary>The policies of an IKE SA that ended are held (<see cref="HoldPolicies"/>) until an IKE SA is up again.</summary>
    private bool _holding;

    private int _attempts;
    private bool _restartAfterClose;
    private bool _removed;
    private long _reconnectGeneration;

    private TimerKey ReconnectTimer => new(0, Name, TimerKind.Reconnect);

    private bool CanInitiate => Config.LocalAddress is not null && !Config.RemoteAddresses.IsEmpty;

    private void HandleTunnelInput(TunnelInput input)
    {
        try
        {
            switch (input)
            {
                case StartRequested:
                    ApplyStartAction();
                    break;
                case UpRequested:
                    Up();
                    break;
                case TrafficHitTrap:
                    OnTrafficHitTrap();
                    break;
                case DownRequested:
                    Down("closed by operator");
                    break;
                case RekeyRequested rekey:
                    foreach (var sa in Sas.Where(sa => sa.State == IkeSaState.Established).ToList())
                    {
                        With(sa, () => sa.RekeyNow(rekey.Child, rekey.Ike));
                    }

                    break;
                case Reconfigured reconfigured:
                    if (reconfigured is { InPlace: true, Config: { } updated })
                    {
                        Config = updated; // what the tunnel decides from now on; its SAs stay as they are
                    }
                    else
                    {
                        Reconfigure(reconfigured.Config);
                    }

                    break;
                case ShutdownRequested shutdown:
                    Shutdown(shutdown.Done);
                    break;
                case TunnelTimerFired { Kind: TimerKind.Reconnect } timer when timer.Generation == _reconnectGeneration:
                    _reconnectGeneration = 0;
                    if (_reauthTarget is { } target)
                    {
                        Initiate(target.Local, target.Remote);
                    }
                    else if (_wanted)
                    {
                        Up();
                    }

                    break;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            EngineLog.InternalError(Logger, e);
        }
    }

    /// <summary>
    /// A packet met a policy without an SA. With traps (start, close or dpd action) it brings the
    /// tunnel up, or the Child SA that went away on a live IKE SA. With held policies only, it waits for
    /// the SA on its way, or for the reconnect, and brings up only a tunnel that is wanted up.
    /// </summary>
    private void OnTrafficHitTrap()
    {
        if (!Sas.Any(sa => sa.State != IkeSaState.Dead) && (_trapped || (_wanted && _reconnectGeneration == 0)))
        {
            Up();
        }

        if (!_trapped)
        {
            return;
        }

        foreach (var sa in Sas.Where(sa => sa.State == IkeSaState.Established && !sa.Replaced).ToList())
        {
            With(sa, () =>
            {
                foreach (var child in sa.Tunnel.Children)
                {
                    sa.CreateIfMissing(child, "and its traffic hit the trap");
                }
            });
        }
    }

    private void ApplyStartAction()
    {
        switch (Config.StartAction)
        {
            case StartAction.Start:
                Up();
                break;
            case StartAction.Trap:
                InstallTraps();
                break;
        }
    }

    /// <summary>Initiates unless an IKE SA we initiated is alive; keeps the tunnel wanted.</summary>
    private void Up()
    {
        if (_removed || !CanInitiate)
        {
            return; // the engine refused 'up' for such a tunnel; a reload may have made it one since
        }

        _wanted = true;
        // Ours on its way up, or any that is up (a rekey the peer started makes it the new SA's initiator);
        // one being deleted does not count ('down' then 'up' at once makes a new one).
        if (Sas.Any(sa => sa.State is not (IkeSaState.Dead or IkeSaState.Deleting) && (sa.IsOriginalInitiator || sa.EstablishedAt is not null)))
        {
            return;
        }

        Initiate(new IPEndPoint(Config.LocalAddress!, UdpEncapsulation.IkePort), new IPEndPoint(Config.RemoteAddresses[0], Config.RemotePort));
    }

    /// <summary>A new IKE SA to <paramref name="remote"/>: one more attempt, counted against keyingtries.</summary>
    private void Initiate(IPEndPoint local, IPEndPoint remote)
    {
        CancelReconnect();
        _attempts++;
        var sa = _engine.CreateInitiatorSa(this, Config, local, remote);
        Own(sa);
        var attempt = _attempts;
        With(sa, () =>
        {
            EngineLog.Initiating(sa.Logger, Name, remote, attempt);
            Emit(new TunnelStateChanged(Name, TunnelState.Connecting, $"attempt {attempt}"));
            sa.StartInitiating();
        });
    }

    /// <summary>Closes every IKE SA with DELETE, removes the traps and stops retrying.</summary>
    private void Down(string reason)
    {
        _wanted = false;
        _reauthenticatingByBreak.Clear(); // closed for good, not to be made again
        _reauthTarget = null;
        CancelReconnect();
        (_trapped, _holding) = (false, false);
        Emit(new RemoveTrapPolicies(Name));
        foreach (var sa in Sas.ToList())
        {
            With(sa, () => sa.Delete(reason));
        }
    }

    private void Reconfigure(TunnelConfig? config)
    {
        var open = Sas.Count > 0;
        Down(config is null ? "removed by reload" : "changed by reload");
        if (config is null)
        {
            _removed = true;
            return;
        }

        Config = config;
        _removed = false;
        _attempts = 0;
        if (open)
        {
            _restartAfterClose = true; // started again once the old SAs are gone (OnSaEnded)
        }
        else
        {
            ApplyStartAction();
        }
    }

    private void Shutdown(TaskCompletionSource done)
    {
        _wanted = false;
        _reauthenticatingByBreak.Clear();
        _reauthTarget = null;
        CancelReconnect();
        foreach (var sa in Sas.ToList())
        {
            With(sa, () => sa.Close("daemon shutting down"));
        }

        // Completed once the DELETEs are handed to the host: Process applies these effects before anything else.
        Emit(new ShutdownCompleted(done));
    }

    /// <summary>
    /// After an IKE SA ended: restart per reload, dpd_action or keyingtries, or leave the tunnel down.
    /// A tunnel that is wanted up (start_action = start, or 'up') and was up comes back after whatever
    /// ended it — the peer's DELETE, a hard lifetime, a failed rekey — except our own closing and
    /// dpd_action = clear; it waits the first reconnect delay, so a peer that re-establishes itself
    /// (reauthenticating break-before-make) is not met with a second IKE SA.
    /// </summary>
    private void OnSaEnded(IkeSa sa, bool wasUp)
    {
        if (_restartAfterClose)
        {
            sa.Reauthenticates = null;
            if (Sas.Count == 0)
            {
                // A reload changed this tunnel: its old SAs are gone, so start it as now configured.
                _restartAfterClose = false;
                ApplyStartAction();
            }

            return;
        }

        if (sa.Reauthenticates is { } target)
        {
            ReauthenticationEnded(sa, target); // ours, never got up: the SA it was to replace carries on, if still there
            return;
        }

        if (sa.Cause == TerminationCause.Rekeyed)
        {
            return; // its successor carries the tunnel
        }

        if (_reauthenticatingByBreak.Remove(sa, out var endpoints))
        {
            ReauthenticateByBreak(endpoints);
            return;
        }

        var peerGone = wasUp && sa.Cause == TerminationCause.PeerUnresponsive;
        if (peerGone && sa.Tunnel.DpdAction == DpdAction.Trap && !_removed)
        {
            // dpd_action=trap: wait for traffic to the peer, then re-establish on demand.
            _wanted = false;
            InstallTraps();
            return;
        }

        if (peerGone && sa.Tunnel.DpdAction == DpdAction.Restart && CanInitiate && !_removed)
        {
            // dpd_action=restart: re-establish at once, then keep retrying while the peer is away.
            _attempts = 0;
            Up();
            return;
        }

        if (wasUp && sa.Cause == TerminationCause.DeletedByPeer && !_removed && Config.EffectiveCloseAction != CloseAction.Start)
        {
            // close_action: the peer closed the tunnel, and it is to stay closed, or come back with traffic.
            _wanted = false;
            if (Config.EffectiveCloseAction == CloseAction.Trap)
            {
                InstallTraps();
            }

            return;
        }

        // A break-before-make reauthentication's attempts are retried where the peer was, wanted or not.
        var retried = _reauthTarget is not null || (_wanted && CanInitiate);
        if (!retried || sa.Cause == TerminationCause.Local || peerGone || _removed)
        {
            return;
        }

        if (wasUp)
        {
            _attempts = 0;
            ScheduleReconnect(_context.Options.ReconnectDelay, $"the IKE SA went down ({sa.EndReason})");
            return;
        }

        if (!sa.IsOriginalInitiator)
        {
            return;
        }

        if (Config.KeyingTries != 0 && _attempts >= Config.KeyingTries)
        {
            _wanted = false;
            _reauthTarget = null;
            Emit(new TunnelStateChanged(Name, TunnelState.Down, $"giving up after {_attempts} attempts (keyingtries={Config.KeyingTries})"));
            return;
        }

        var options = _context.Options;
        ScheduleReconnect(TimeSpan.FromTicks(Math.Min(options.MaxReconnectDelay.Ticks, options.ReconnectDelay.Ticks << Math.Min(_attempts - 1, 16))), "attempt failed");
    }

    /// <summary>Trap policies for the tunnel's children: the next packet brings the tunnel (or the missing Child SA) up.</summary>
    public void InstallTraps()
    {
        Emit(InstallTrapPolicies.For(Config));
        (_trapped, _holding) = (true, false);
    }

    /// <summary>
    /// <paramref name="sa"/> ended, not by our decision, with Child SAs that no other SA carries: their
    /// policies stay, without SAs, so that the tunnel's traffic is dropped rather than sent in the
    /// clear until a new IKE SA carries it (the peer reauthenticating break-before-make, a reconnect)
    /// or the operator closes the tunnel. A tunnel with trap policies has them already.
    /// </summary>
    public void HoldPolicies(IkeSa sa)
    {
        if (_removed || IsProvisional || _trapped || sa.Children.Count == 0)
        {
            return;
        }

        var held = sa.Children.DistinctBy(c => c.Name)
            .Select(c => c.Config with { LocalTrafficSelectors = c.LocalTrafficSelectors, RemoteTrafficSelectors = c.RemoteTrafficSelectors });
        Emit(new InstallTrapPolicies(Name, sa.Local.Address, sa.Remote.Address, [.. held], Hold: true));
        _holding = true;
    }

    /// <summary>An IKE SA carries the tunnel's traffic again: held policies go (the Child SAs' own stay).</summary>
    private void ReleaseHeldPolicies()
    {
        if (_holding)
        {
            _holding = false;
            Emit(new RemoveTrapPolicies(Name));
        }
    }

    private void ScheduleReconnect(TimeSpan delay, string why)
    {
        EngineLog.ReconnectScheduled(Logger, Name, delay, Config.KeyingTries == 0 ? "unlimited" : $"{Config.KeyingTries - _attempts}", why);
        _reconnectGeneration = _context.NextTimerGeneration();
        Emit(new ArmTimer(ReconnectTimer, delay, _reconnectGeneration));
    }

    private void CancelReconnect()
    {
        if (_reconnectGeneration != 0)
        {
            _reconnectGeneration = 0;
            Emit(new CancelTimer(ReconnectTimer));
        }
    }
}
