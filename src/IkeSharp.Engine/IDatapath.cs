using System.Net;

namespace IkeSharp.Engine;

/// <summary>
/// Where negotiated Child SAs go: the kernel (XFRM), the user-space ESP datapath over TUN, or a
/// recorder. The whole contract, so that nothing above it needs to know which one runs: inbound SPIs
/// and reqids come from it (the reqid <c>status</c> shows is the one it holds), it installs, moves and
/// removes Child SAs and trap policies, routes their traffic, counts, and reports what it sees on its
/// own through <see cref="Events"/>. Calls come from the engine's tunnel owners, several at once: a
/// datapath serialises what must be serialised itself.
/// </summary>
public interface IDatapath : IChildSpiSource, IDisposable
{
    /// <summary>One line for the startup log: which datapath, and what it protects.</summary>
    string Description { get; }

    /// <summary>
    /// Installs both directions and their policies and routes; takes ownership of the installation's
    /// key buffers. Returns the reqid the Child SA is held under (the installation's own when it names
    /// one, else one the datapath picks, e.g. that of the trap the SA replaces). Throws
    /// <see cref="DatapathException"/> when it cannot, having left nothing of the SA behind.
    /// </summary>
    uint Install(ChildSaInstallation installation);

    /// <summary>Removes both directions, their policies and routes; a Child SA it does not hold is ignored.</summary>
    void Remove(RemoveChildSa removal);

    /// <summary>Sends the Child SA's ESP to new outer endpoints (the peer's NAT mapping changed).</summary>
    void UpdateEndpoints(UpdateChildSaEndpoints update);

    /// <summary>Holds traffic matching a tunnel's children and reports it as <see cref="TrafficAcquired"/> (replaces the tunnel's earlier traps).</summary>
    void InstallTraps(InstallTrapPolicies trap);

    /// <summary>Removes a tunnel's trap policies; nothing happens when it has none.</summary>
    void RemoveTraps(string tunnel);

    /// <summary>Packets dropped, by reason (e.g. "Replay", "Integrity").</summary>
    IReadOnlyDictionary<string, long> Drops { get; }

    /// <summary>Traffic counters of the Child SA with this inbound SPI, or null when it holds no such SA.</summary>
    ChildSaCounters? CountersFor(uint inboundSpi);

    /// <summary>Where the datapath reports what it sees on its own (trap hits, lifetimes); set by the host before starting the engine.</summary>
    Action<DatapathEvent>? Events { get; set; }
}

/// <summary>Allocates inbound ESP SPIs. The kernel datapath uses XFRM ALLOCSPI; the default picks random values.</summary>
public interface IChildSpiSource
{
    /// <summary>An SPI for ESP from <paramref name="remote"/> to <paramref name="local"/> (the outer addresses of the IKE SA).</summary>
    uint AllocateInboundSpi(IPAddress local, IPAddress remote);
}

/// <summary>A datapath could not do what it was asked; the message says what and why, for the operator.</summary>
public class DatapathException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Something the datapath noticed that the engine must act on (<see cref="IkeEngine.OnDatapathEvent"/>).</summary>
public abstract record DatapathEvent;

/// <summary>Traffic (<paramref name="Flow"/>, for the log) hit a trap policy of <paramref name="Tunnel"/>: bring it up.</summary>
public sealed record TrafficAcquired(string Tunnel, string Flow) : DatapathEvent;

/// <summary>The SA with <paramref name="Spi"/> (either direction) reached its soft (rekey) or hard (gone) lifetime.</summary>
public sealed record ChildSaExpired(uint Spi, bool Hard) : DatapathEvent;

/// <summary>Packets and bytes (of inner packets) through one Child SA, per direction.</summary>
public readonly record struct ChildSaCounters(long InPackets, long InBytes, long OutPackets, long OutBytes);
