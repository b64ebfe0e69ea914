using IkeSharp.Config;
using IkeSharp.Engine;
using IkeSharp.Linux.Netlink;
using IkeSharp.Linux.Sockets;
using IkeSharp.Linux.Userspace;
using IkeSharp.Linux.Xfrm;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Linux;

/// <summary>
/// Picks the datapath the config asks for, resolving <c>auto</c> by probing what this host can do,
/// and wires it to the IKE sockets (the kernel's per-socket bypass policies and ESP-in-UDP, or
/// user-space ESP taken off UDP 4500), so the daemon needs no Linux knowledge.
/// </summary>
public static partial class DatapathFactory
{
    public static IDatapath Create(DaemonSettings settings, UdpTransport transport, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("IkeSharp.Datapath");
        var kind = settings.Datapath;
        if (kind == DatapathKind.Auto)
        {
            kind = Resolve(logger);
        }

        switch (kind)
        {
            case DatapathKind.Record:
                return new RecordingDatapath();
            case DatapathKind.Kernel:
                transport.PrepareSocket = KernelDatapath.PrepareIkeSocket;
                try
                {
                    return KernelDatapath.Open(settings.ReplayWindow, loggers.CreateLogger<KernelDatapath>());
                }
                catch (NetlinkException e)
                {
                    throw new InvalidOperationException($"datapath kernel: {e.Message} (use datapath = userspace where the kernel has no XFRM)", e);
                }

            default:
                var datapath = new UserspaceDatapath(settings.TunDevice, settings.ReplayWindow, transport, loggers.CreateLogger<UserspaceDatapath>());
                transport.EspReceived = datapath.ReceiveEsp;
                return datapath;
        }
    }

    /// <summary>Kernel ESP when the kernel takes a test SA, else user-space ESP over TUN, else record only; logged with the reason.</summary>
    private static DatapathKind Resolve(ILogger logger)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            LogAuto(logger, "record", "not running as root: neither XFRM nor TUN can be used");
            return DatapathKind.Record;
        }

        var (usable, reason) = KernelDatapath.Probe();
        if (usable)
        {
            LogAuto(logger, "kernel", reason);
            return DatapathKind.Kernel;
        }

        if (File.Exists("/dev/net/tun"))
        {
            LogAuto(logger, "userspace", $"the kernel cannot do ESP ({reason}) and /dev/net/tun is usable");
            return DatapathKind.Userspace;
        }

        LogAuto(logger, "record", $"the kernel cannot do ESP ({reason}) and there is no /dev/net/tun");
        return DatapathKind.Record;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "datapath auto: using {Datapath} because {Reason}")]
    private static partial void LogAuto(ILogger logger, string datapath, string reason);
}
