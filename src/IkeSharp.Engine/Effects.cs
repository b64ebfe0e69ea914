using System.Collections.Immutable;
using System.Net;
using IkeSharp.Crypto;
using IkeSharp.Protocol;

namespace IkeSharp.Engine;

/// <summary>
/// What the engine asks its host to do. The engine performs no I/O: the owner of a tunnel hands
/// each effect it produced to <see cref="IEngineHost"/>, in order, before it takes its next input.
/// </summary>
public abstract record EngineEffect;

/// <summary>Send <paramref name="Datagram"/> (already carrying the non-ESP marker on port 4500) from <paramref name="Local"/> to <paramref name="Remote"/>.</summary>
public sealed record SendDatagram(IPEndPoint Local, IPEndPoint Remote, byte[] Datagram) : EngineEffect;

/// <summary>
/// Call <see cref="IkeEngine.OnTimer"/> with <paramref name="Timer"/> and <paramref name="Generation"/>
/// after <paramref name="Delay"/>; re-arming the same key replaces it. The generation lets the engine
/// ignore an expiry that raced with a re-arm or a cancel.
/// </summary>
public sealed record ArmTimer(TimerKey Timer, TimeSpan Delay, long Generation) : EngineEffect;

/// <summary>Forget a timer armed earlier.</summary>
public sealed record CancelTimer(TimerKey Timer) : EngineEffect;

/// <summary>
/// Install both directions of a negotiated Child SA and its policies (<see cref="IEngineHost.Install"/>).
/// Its outcome is the owner's next input: a Child SA counts as up, and a responder answers, only once
/// the datapath holds it.
/// </summary>
public sealed record InstallChildSa(ChildSaInstallation Installation) : EngineEffect;

/// <summary>Remove both directions of a Child SA and its policies.</summary>
public sealed record RemoveChildSa(string Tunnel, string Child, uint InboundSpi, uint OutboundSpi, uint ReqId) : EngineEffect;

/// <summary>
/// Install trap policies for a tunnel's children (start_action/dpd_action <c>trap</c>): traffic that
/// matches them is held and reported back as <see cref="TrafficAcquired"/>, which brings the
/// tunnel up. The kernel datapath does this as strongSwan does: XFRM policies whose template names an
/// SA that does not exist yet, so the first packet raises an ACQUIRE. <paramref name="Local"/> and
/// <paramref name="Remote"/> are the outer addresses (null when the tunnel does not name them).
/// <paramref name="Hold"/>: the policies of Child SAs whose IKE SA ended, kept while the tunnel is
/// between SAs so that its traffic is dropped rather than sent in the clear; the user-space datapath,
/// which never sends a tunnel's traffic in the clear, has nothing to do for it.
/// </summary>
public sealed record InstallTrapPolicies(string Tunnel, IPAddress? Local, IPAddress? Remote, ImmutableArray<Configuration.ChildConfig> Children, bool Hold = false) : EngineEffect
{
    public static InstallTrapPolicies For(Configuration.TunnelConfig tunnel)
        => new(tunnel.Name, tunnel.LocalAddress, tunnel.RemoteAddresses.IsEmpty ? null : tunnel.RemoteAddresses[0], tunnel.Children);
}

/// <summary>Remove a tunnel's trap policies (it was closed by the operator or reconfigured).</summary>
public sealed record RemoveTrapPolicies(string Tunnel) : EngineEffect;

/// <summary>The peer's address or port changed (NAT rebinding, RFC 7296 §2.23): ESP of this Child SA must follow.</summary>
public sealed record UpdateChildSaEndpoints(uint InboundSpi, IPEndPoint Local, IPEndPoint Remote) : EngineEffect;

/// <summary>A tunnel changed state (for status, metrics and start-action handling).</summary>
public sealed record TunnelStateChanged(string Tunnel, TunnelState State, string? Reason) : EngineEffect;

/// <summary>What a timer is for.</summary>
public enum TimerKind
{
    Retransmit,
    Dpd,
    NatKeepalive,
    HalfOpenTimeout,
    Reconnect,
    /// <summary>The IKE SA is due for a rekey (also the retry after the peer's TEMPORARY_FAILURE).</summary>
    IkeRekey,
    /// <summary>The IKE SA reached its hard lifetime without being replaced.</summary>
    IkeExpire,
    /// <summary>Child SA rekeys the peer answered with TEMPORARY_FAILURE are tried again.</summary>
    ChildRekeyRetry,
    /// <summary>The IKE SA is due for reauthentication: a new IKE SA with fresh authentication replaces it.</summary>
    IkeReauth,
    /// <summary>Both sides reauthenticated at once and our new IKE SA is the redundant one: deleted unless the peer deleted its own meanwhile.</summary>
    ReauthTwin,
}

/// <summary>Identifies a timer: the IKE SA (by our SPI; 0 for tunnel-level timers), the tunnel and the purpose.</summary>
public readonly record struct TimerKey(ulong LocalSpi, string Tunnel, TimerKind Kind);

/// <summary>Coarse state of a tunnel as an operator sees it.</summary>
public enum TunnelState
{
    Down,
    Connecting,
    Up,
}

/// <summary>
/// Everything the datapath needs for one Child SA: the outer endpoints (with UDP encapsulation
/// ports when NAT-T is in use), per direction the SPI, algorithms and keys, and the selectors.
/// <paramref name="ReqId"/> ties the SAs to their policies; 0 lets the datapath choose it (it owns
/// reqids) and report it back. The installation owns the key buffers: dispose it once installed.
/// </summary>
public sealed record ChildSaInstallation(
    string Tunnel,
    string Child,
    uint ReqId,
    IPEndPoint Local,
    IPEndPoint Remote,
    bool UdpEncapsulation,
    uint InboundSpi,
    uint OutboundSpi,
    ChildSaCipherSuite Suite,
    SecretBuffer InboundEncryptionKey,
    SecretBuffer InboundIntegrityKey,
    SecretBuffer OutboundEncryptionKey,
    SecretBuffer OutboundIntegrityKey,
    ImmutableArray<TrafficSelector> LocalTrafficSelectors,
    ImmutableArray<TrafficSelector> RemoteTrafficSelectors) : IDisposable
{
    /// <summary>The child's configured limits; both datapaths enforce them and report crossings as <see cref="ChildSaExpired"/>.</summary>
    public Configuration.ChildLifetime Lifetime { get; init; }

    /// <summary>
    /// Whether traffic goes out on this pair at once, before an older pair of the same selectors is
    /// removed: true for the exchange's initiator (the responder installed its inbound SA before it
    /// answered); false for the responder, which goes on sending on the older pair until the
    /// initiator deletes it, since the initiator installs the new pair only once the answer is in.
    /// </summary>
    public bool SendsAtOnce { get; init; }

    public void Dispose()
    {
        InboundEncryptionKey.Dispose();
        InboundIntegrityKey.Dispose();
        OutboundEncryptionKey.Dispose();
        OutboundIntegrityKey.Dispose();
    }
}

/// <summary>
/// Carries out the effects of the engine's tunnel owners. Each owner calls it from one thread at a
/// time, in the order the effects were produced; different tunnels call it concurrently.
/// </summary>
public interface IEngineHost
{
    /// <summary>Carries out every effect except <see cref="InstallChildSa"/>. Failures are the host's to log; they do not reach the engine.</summary>
    void Apply(EngineEffect effect);

    /// <summary>Installs a Child SA in the datapath and says how that went; the engine takes ownership of neither outcome's resources.</summary>
    ChildSaInstallResult Install(ChildSaInstallation installation);
}

/// <summary>What the datapath made of an <see cref="InstallChildSa"/>: the reqid it holds the Child SA under, or why it refused it.</summary>
public readonly record struct ChildSaInstallResult(uint ReqId, string? Failure)
{
    public static ChildSaInstallResult Installed(uint reqId) => new(reqId, null);

    public static ChildSaInstallResult Refused(string reason) => new(0, reason);

    public bool Succeeded => Failure is null;
}
