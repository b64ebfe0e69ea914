using System.Runtime.InteropServices;

namespace IkeSharp.Linux.Interop;

#pragma warning disable CS8981, IDE1006 // kernel names kept as in <linux/rtnetlink.h>, <linux/fib_rules.h> and <linux/if_link.h>

/// <summary><c>struct rtmsg</c>: the fixed part of RTM_NEWROUTE/DELROUTE/GETROUTE (12 octets).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct rtmsg
{
    public byte rtm_family;
    public byte rtm_dst_len;
    public byte rtm_src_len;
    public byte rtm_tos;
    public byte rtm_table;
    public byte rtm_protocol;
    public byte rtm_scope;
    public byte rtm_type;
    public uint rtm_flags;
}

/// <summary><c>struct fib_rule_hdr</c>: the fixed part of RTM_NEWRULE/DELRULE (12 octets).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct fib_rule_hdr
{
    public byte family;
    public byte dst_len;
    public byte src_len;
    public byte tos;
    public byte table;
    public byte res1;
    public byte res2;
    public byte action;
    public uint flags;
}

/// <summary><c>struct ifinfomsg</c>: the fixed part of RTM_NEWLINK (16 octets).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ifinfomsg
{
    public byte ifi_family;
    public byte __ifi_pad;
    public ushort ifi_type;
    public int ifi_index;
    public uint ifi_flags;
    public uint ifi_change;
}

/// <summary>Constants of <c>&lt;linux/rtnetlink.h&gt;</c>, <c>&lt;linux/fib_rules.h&gt;</c> and <c>&lt;linux/if_link.h&gt;</c>.</summary>
internal static class rtnetlink
{
    public const ushort RTM_NEWLINK = 16;
    public const ushort RTM_NEWROUTE = 24;
    public const ushort RTM_DELROUTE = 25;
    public const ushort RTM_GETROUTE = 26;
    public const ushort RTM_NEWRULE = 32;
    public const ushort RTM_DELRULE = 33;

    // enum rtattr_type_t
    public const ushort RTA_DST = 1;
    public const ushort RTA_SRC = 2;
    public const ushort RTA_OIF = 4;
    public const ushort RTA_GATEWAY = 5;
    public const ushort RTA_PREFSRC = 7;
    public const ushort RTA_TABLE = 15;

    // FRA_* of <linux/fib_rules.h>
    public const ushort FRA_PRIORITY = 6;
    public const ushort FRA_TABLE = 15;

    // IFLA_* of <linux/if_link.h>
    public const ushort IFLA_MTU = 4;
    public const ushort IFLA_TXQLEN = 13;

    public const byte RT_TABLE_UNSPEC = 0;
    public const byte RTPROT_BOOT = 3;
    public const byte RT_SCOPE_UNIVERSE = 0;
    public const byte RT_SCOPE_LINK = 253;
    public const byte RT_SCOPE_NOWHERE = 255;
    public const byte RTN_UNICAST = 1;
    public const byte FR_ACT_TO_TBL = 1;

    /// <summary>In a GETROUTE: answer with the table the route came from (what <c>ip route get</c> asks).</summary>
    public const uint RTM_F_LOOKUP_TABLE = 0x1000;

    /// <summary>IFF_UP of <c>&lt;linux/if.h&gt;</c>.</summary>
    public const uint IFF_UP = 0x1;

    public const byte AF_INET = 2;
    public const byte AF_INET6 = 10;
}

/// <summary>The interface-name functions of libc's <c>&lt;net/if.h&gt;</c>.</summary>
internal static unsafe partial class net_if
{
    [LibraryImport("libc", EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint if_nametoindex(string name);

    /// <summary>Writes the name (at most IF_NAMESIZE octets with its NUL) into <paramref name="name"/>; null when no interface has the index.</summary>
    [LibraryImport("libc", EntryPoint = "if_indextoname", SetLastError = true)]
    public static partial byte* if_indextoname(uint index, byte* name);
}
