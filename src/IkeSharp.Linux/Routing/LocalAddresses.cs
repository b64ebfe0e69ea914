using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using IkeSharp.Linux.Interop;
using IkeSharp.Linux.Userspace;
using IkeSharp.Protocol;

namespace IkeSharp.Linux.Routing;

/// <summary>This host's own addresses, as the routes' source hints need them.</summary>
internal static class LocalAddresses
{
    /// <summary>An address of this host inside <paramref name="selectors"/>: the source the kernel should pick for tunnel traffic, so it matches the policies.</summary>
    public static IPAddress? Within(IEnumerable<TrafficSelector> selectors)
    {
        var ranges = selectors.Select(SelectorRange.From).ToList();
        return NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => ranges.Any(r => r.V6 == (a.AddressFamily == AddressFamily.InterNetworkV6)
                && SelectorRange.Number(a) >= r.Start && SelectorRange.Number(a) <= r.End));
    }

    /// <summary>The name of the interface with <paramref name="index"/>, or null when there is none.</summary>
    public static unsafe string? InterfaceName(int index)
    {
        var name = stackalloc byte[16]; // IF_NAMESIZE
        return net_if.if_indextoname((uint)index, name) == null ? null : new string((sbyte*)name);
    }
}
