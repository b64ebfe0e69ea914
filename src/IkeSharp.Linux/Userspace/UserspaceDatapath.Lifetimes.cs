using IkeSharp.Engine;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Linux.Userspace;

/// <summary>
/// Lifetimes of the user-space SAs: byte and packet limits counted per direction on the packet
/// threads (<see cref="SaTraffic"/>), time limits by a timer per Child SA; each soft and hard
/// expiry is logged and reported as <see cref="ChildSaExpired"/> like the kernel's EXPIRE.
/// </summary>
public sealed partial class UserspaceDatapath
{
    /// <summary>The byte/packet limits of one direction; crossing one is logged and reported to the engine off the packet thread.</summary>
    private SaTraffic Traffic(string child, uint spi, string direction, Engine.Configuration.ChildLifetime lifetime)
    {
        SaTraffic? traffic = null;
        traffic = new SaTraffic(lifetime.RekeyBytes, lifetime.LifeBytes, lifetime.RekeyPackets, lifetime.LifePackets,
            hard => ThreadPool.UnsafeQueueUserWorkItem(_ => Expired(child, direction, spi, hard, "byte/packet", traffic!), null));
        return traffic;
    }

    /// <summary>
    /// Time limits count from installation for the Child SA as a whole: reported once, with the
    /// inbound SPI; the hard one also stops the outbound direction.
    /// </summary>
    private void ArmTimeLimits(string child, Engine.Configuration.ChildLifetime lifetime, InboundSa inbound, OutboundSa outbound)
    {
        var timers = new List<ITimer>();
        if (lifetime.RekeyTime > TimeSpan.Zero)
        {
            timers.Add(_time.CreateTimer(_ => TimeLimit(hard: false), null, lifetime.RekeyTime, Timeout.InfiniteTimeSpan));
        }

        if (lifetime.LifeTime > TimeSpan.Zero)
        {
            timers.Add(_time.CreateTimer(_ => TimeLimit(hard: true), null, lifetime.LifeTime, Timeout.InfiniteTimeSpan));
        }

        if (timers.Count > 0)
        {
            _timers[inbound.Spi] = [.. timers];
        }

        void TimeLimit(bool hard)
        {
            if (hard)
            {
                _ = outbound.Traffic.Expire(hard: true, report: false);
            }

            if (inbound.Traffic.Expire(hard, report: false))
            {
                Expired(child, "inbound", inbound.Spi, hard, "time", inbound.Traffic);
            }
        }
    }

    private void Expired(string child, string direction, uint spi, bool hard, string limit, SaTraffic traffic)
    {
        LogLimit(child, direction, spi, hard ? "hard" : "soft", limit, traffic.Packets, traffic.Bytes);
        Events?.Invoke(new ChildSaExpired(spi, hard));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ESP SA {Child} {Direction} {Spi:x8} reached its {Kind} {Limit} limit after {Packets} packets, {Bytes} bytes")]
    private partial void LogLimit(string child, string direction, uint spi, string kind, string limit, long packets, long bytes);
}
