using System.Net;
using System.Security.Cryptography;
using IkeSharp.Engine.Configuration;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Engine;

/// <summary>Allocates inbound ESP SPIs. The kernel datapath uses XFRM ALLOCSPI; the default picks random unused values.</summary>
public interface IChildSpiSource
{
    /// <summary>An SPI for ESP from <paramref name="remote"/> to <paramref name="local"/> (the outer addresses of the IKE SA).</summary>
    uint AllocateInboundSpi(IPAddress local, IPAddress remote);
}

/// <summary>Random SPIs in the range RFC 4303 §2.1 leaves to implementations (256 and up).</summary>
public sealed class RandomChildSpiSource : IChildSpiSource
{
    public uint AllocateInboundSpi(IPAddress local, IPAddress remote)
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

/// <summary>What every IKE SA of one engine shares: clock, logging, SPI source, counters, settings.</summary>
internal sealed class EngineContext(TimeProvider time, ILoggerFactory loggers, IChildSpiSource spis, EngineOptions options)
{
    private int _nextReqId;

    public TimeProvider Time { get; } = time;

    public ILoggerFactory Loggers { get; } = loggers;

    public ILogger Logger { get; } = loggers.CreateLogger("IkeSharp.Engine");

    public IChildSpiSource Spis { get; } = spis;

    /// <summary>Replaced as a whole by a reload; IKE SAs keep the tunnel config they were made with.</summary>
    public EngineOptions Options { get; set; } = options;

    public EngineStatistics Statistics { get; } = new();

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>reqid ties a Child SA's SAs to its policies in the kernel; IkeSharp's start at 1.</summary>
    public uint NextReqId() => (uint)Interlocked.Increment(ref _nextReqId);

    public TunnelConfig? FindTunnel(string name) => Options.Tunnels.FirstOrDefault(t => t.Name == name);
}
