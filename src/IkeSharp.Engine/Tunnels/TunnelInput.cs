using System.Net;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Sa;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tunnels;

/// <summary>
/// One thing that happens to a tunnel. Its owner handles inputs one at a time, in arrival order,
/// and carries out the effects of each before the next (see <see cref="Tunnel"/>).
/// </summary>
internal abstract record TunnelInput;

/// <summary>An IKE datagram for one of the tunnel's IKE SAs (matched by SPI; <paramref name="Decoded"/> when the dispatcher already decoded it).</summary>
internal sealed record DatagramReceived(IkeSa Sa, IPEndPoint Local, IPEndPoint Remote, ReadOnlyMemory<byte> Datagram, IkeMessage? Decoded = null) : TunnelInput;

/// <summary>The first IKE_SA_INIT request of a responder SA the dispatcher just created.</summary>
internal sealed record InitRequestAccepted(IkeSa Sa, IPEndPoint Local, IPEndPoint Remote, ReadOnlyMemory<byte> Datagram, IkeMessage Request) : TunnelInput;

/// <summary>A timer of one IKE SA expired.</summary>
internal sealed record SaTimerFired(IkeSa Sa, TimerKind Kind, long Generation) : TunnelInput;

/// <summary>A timer of the tunnel itself (reconnect) expired.</summary>
internal sealed record TunnelTimerFired(TimerKind Kind, long Generation) : TunnelInput;

/// <summary>The datapath's answer to an <see cref="InstallChildSa"/>: always the owner's very next input.</summary>
internal sealed record ChildSaInstallCompleted(IkeSa Sa, uint InboundSpi, ChildSaInstallResult Result) : TunnelInput;

/// <summary>The datapath reports a lifetime of one of the SA's Child SAs.</summary>
internal sealed record ChildSaLifetimeReached(IkeSa Sa, uint Spi, bool Hard) : TunnelInput;

/// <summary>Bring the tunnel up and keep it up (<c>ikesharp up</c>).</summary>
internal sealed record UpRequested : TunnelInput;

/// <summary>Rekey now (<c>ikesharp rekey</c>): the IKE SA, one child (<paramref name="Child"/>), or every Child SA.</summary>
internal sealed record RekeyRequested(string? Child, bool Ike) : TunnelInput;

/// <summary>Traffic hit the tunnel's trap policy.</summary>
internal sealed record TrafficHitTrap(string Flow) : TunnelInput;

/// <summary>Close the tunnel with DELETE and stop retrying (<c>ikesharp down</c>).</summary>
internal sealed record DownRequested : TunnelInput;

/// <summary>Apply the start action (daemon start, or the tunnel was added by a reload).</summary>
internal sealed record StartRequested : TunnelInput;

/// <summary>A reload changed (<paramref name="Config"/>) or removed (null) the tunnel.</summary>
internal sealed record Reconfigured(TunnelConfig? Config, bool InPlace = false) : TunnelInput;

/// <summary>The daemon stops: DELETE every IKE SA, remove everything; <paramref name="Done"/> completes once that is carried out.</summary>
internal sealed record ShutdownRequested(TaskCompletionSource Done) : TunnelInput;

/// <summary>A responder SA authenticated the peer as belonging to this tunnel: the tunnel owns it from now on.</summary>
internal sealed record SaAdopted(IkeSa Sa) : TunnelInput;

/// <summary>Not for the host: the owner completes a shutdown's task once the effects before it are carried out.</summary>
internal sealed record ShutdownCompleted(TaskCompletionSource Done) : EngineEffect;
