using System.Runtime.InteropServices;

namespace IkeSharp.Linux.Interop;

#pragma warning disable CS8981, IDE1006 // kernel names kept as in <linux/if.h> and <linux/if_tun.h>

/// <summary><c>struct ifreq</c> as TUNSETIFF uses it: the name, then <c>ifr_flags</c> in the union (40 octets on 64-bit).</summary>
[StructLayout(LayoutKind.Sequential, Size = 40)]
internal unsafe struct ifreq
{
    public const int IFNAMSIZ = 16;

    public fixed byte ifr_name[IFNAMSIZ];
    public short ifr_flags;
}

/// <summary>Constants of <c>&lt;linux/if_tun.h&gt;</c>, and the ioctl Tmds.LibC declares only for integer arguments.</summary>
internal static unsafe partial class if_tun
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, void* argument);

    /// <summary>_IOW('T', 202, int)</summary>
    public const uint TUNSETIFF = 0x400454ca;
    public const short IFF_TUN = 0x0001;
    public const short IFF_NO_PI = 0x1000;
}
