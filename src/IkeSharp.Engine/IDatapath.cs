namespace IkeSharp.Engine;

/// <summary>
/// Where negotiated Child SAs go: the kernel (XFRM), the user-space ESP datapath over TUN, or a
/// recorder. The daemon hands each install/remove effect of the engine to exactly one datapath.
/// </summary>
public interface IDatapath : IDisposable
{
    /// <summary>One line for the startup log: which datapath, and what it protects.</summary>
    string Description { get; }

    /// <summary>ESP must travel in UDP (RFC 3948) because this datapath cannot send raw ESP.</summary>
    bool RequiresUdpEncapsulation { get; }

    /// <summary>Installs both directions; takes ownership of the installation's key buffers.</summary>
    void Install(ChildSaInstallation installation);

    void Remove(RemoveChildSa removal);

    /// <summary>Sends the Child SA's ESP to new outer endpoints (the peer's NAT mapping changed).</summary>
    void UpdateEndpoints(UpdateChildSaEndpoints update);

    /// <summary>Packets dropped, by reason (e.g. "Replay", "Integrity"); empty when the datapath does not count.</summary>
    IReadOnlyDictionary<string, long> Drops { get; }

    /// <summary>Traffic counters of the Child SA with this inbound SPI, when the datapath counts.</summary>
    ChildSaCounters? CountersFor(uint inboundSpi);

    /// <summary>Where the datapath reports what it sees on its own (trap hits, lifetimes); set by the host before starting the engine.</summary>
    Action<DatapathEvent>? Events { get; set; }
}

/// <summary>Something the datapath noticed that the engine must act on.</summary>
public abstract record DatapathEvent;

/// <summary>Traffic (<paramref name="Flow"/>, for the log) hit a trap policy of <paramref name="Tunnel"/>: bring it up (<see cref="IkeEngine.OnAcquire"/>).</summary>
public sealed record TrafficAcquired(string Tunnel, string Flow) : DatapathEvent;

/// <summary>The SA with <paramref name="Spi"/> reached its soft (rekey) or hard (gone) lifetime (<see cref="IkeEngine.OnChildSaExpired"/>).</summary>
public sealed record ChildSaExpired(uint Spi, bool Hard) : DatapathEvent;

/// <summary>Packets and bytes (of inner packets) through one Child SA, per direction.</summary>
public readonly record struct ChildSaCounters(long InPackets, long InBytes, long OutPackets, long OutBytes);
