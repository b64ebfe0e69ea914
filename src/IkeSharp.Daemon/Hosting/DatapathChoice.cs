using IkeSharp.Config;
using IkeSharp.Engine;
using IkeSharp.Linux.Sockets;
using IkeSharp.Linux.Userspace;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.Hosting;

/// <summary>Picks the datapath the config asks for, resolving <c>auto</c> by what this host can do.</summary>
internal static partial class DatapathChoice
{
    public static IDatapath Create(DaemonSettings settings, UdpTransport transport, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("IkeSharp.Datapath");
        var kind = settings.Datapath;
        if (kind == DatapathKind.Auto)
        {
            var tun = File.Exists("/dev/net/tun") && Environment.IsPrivilegedProcess;
            kind = tun ? DatapathKind.Userspace : DatapathKind.Record;
            LogAuto(logger, kind.ToString().ToLowerInvariant(), tun ? "/dev/net/tun is usable (the kernel XFRM datapath is not implemented yet)" : "no usable /dev/net/tun (not root, or no tun module)");
        }

        if (kind == DatapathKind.Record)
        {
            return new RecordingDatapath();
        }

        var datapath = new UserspaceDatapath(settings.TunDevice, settings.ReplayWindow, transport, loggers.CreateLogger<UserspaceDatapath>());
        transport.EspReceived = datapath.ReceiveEsp;
        return datapath;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "datapath auto: using {Datapath} because {Reason}")]
    private static partial void LogAuto(ILogger logger, string datapath, string reason);
}
