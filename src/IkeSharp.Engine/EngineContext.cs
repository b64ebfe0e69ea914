using System.Security.Cryptography;
using IkeSharp.Engine.Configuration;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Engine;

/// <summary>Random SPIs in the range RFC 4303 §2.1 leaves to implementations (256 and up).</summary>
public sealed class RandomChildSpiSource : IChildSpiSource
{
    public uint AllocateInboundSpi(System.Net.IPAddress local, System.Net.IPAddress remote)
    {
        while (true)
        {
            var spi = (uint)RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue);
            if (spi >= 256)
            {
                return spi;
            }
        }
    }
}

/// <summary>What every tunnel and IKE SA of one engine shares: clock, logging, host, scheduler, SPI source, counters, settings.</summary>
internal sealed class EngineContext(TimeProvider time, ILoggerFactory loggers, IChildSpiSource spis, EngineOptions options, IEngineHost host, IEngineScheduler scheduler)
{
    private volatile EngineOptions _options = options;
    private long _timerGeneration;

    public TimeProvider Time { get; } = time;

    public ILoggerFactory Loggers { get; } = loggers;

    public ILogger Logger { get; } = loggers.CreateLogger("IkeSharp.Engine");

    public IChildSpiSource Spis { get; } = spis;

    public IEngineHost Host { get; } = host;

    public IEngineScheduler Scheduler { get; } = scheduler;

    /// <summary>Replaced as a whole by a reload; IKE SAs keep the tunnel config they were made with.</summary>
    public EngineOptions Options
    {
        get => _options;
        set => _options = value;
    }

    public EngineStatistics Statistics { get; } = new();

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Child SAs by inbound and outbound SPI, for datapath events that name only an SPI.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<uint, Sa.IkeSa> ChildSpis { get; } = new();

    /// <summary>
    /// The reqid of a Child SA of <paramref name="tunnel"/> with these selectors on a live IKE SA, or 0:
    /// a second pair for the same traffic (a reauthentication's) shares it, as in strongSwan. Reads the
    /// published snapshots, so it is safe from any tunnel's thread.
    /// </summary>
    public uint ReqIdInUse(string tunnel, string child, IEnumerable<Protocol.TrafficSelector> local, IEnumerable<Protocol.TrafficSelector> remote)
    {
        var (localText, remoteText) = (string.Join(" ", local), string.Join(" ", remote));
        return ChildSpis.Values.Select(sa => sa.Status).Where(s => s.Tunnel == tunnel && s.State is not Sa.IkeSaState.Dead)
            .SelectMany(s => s.Children).FirstOrDefault(c => c.Name == child && c.LocalTrafficSelectors == localText && c.RemoteTrafficSelectors == remoteText)?.ReqId ?? 0;
    }

    /// <summary>A number no earlier <see cref="ArmTimer"/> of this engine used.</summary>
    public long NextTimerGeneration() => Interlocked.Increment(ref _timerGeneration);

    public TunnelConfig? FindTunnel(string name) => Options.Tunnels.FirstOrDefault(t => t.Name == name);
}
