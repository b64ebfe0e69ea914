using System.Runtime.InteropServices;

namespace IkeSharp.Linux.Interop;

#pragma warning disable CS8981, IDE1006 // kernel names kept as in <linux/netlink.h>

/// <summary><c>struct nlmsghdr</c>: every netlink message starts with it (16 octets, host byte order).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct nlmsghdr
{
    public uint nlmsg_len;
    public ushort nlmsg_type;
    public ushort nlmsg_flags;
    public uint nlmsg_seq;
    public uint nlmsg_pid;
}

/// <summary><c>struct nlattr</c>: a type-length-value attribute, padded to 4 octets.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct nlattr
{
    public ushort nla_len;
    public ushort nla_type;
}

/// <summary><c>struct sockaddr_nl</c> (12 octets).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct sockaddr_nl
{
    public ushort nl_family;
    public ushort nl_pad;
    public uint nl_pid;
    public uint nl_groups;
}

/// <summary>Constants of <c>&lt;linux/netlink.h&gt;</c> used by the XFRM and rtnetlink sockets.</summary>
internal static class netlink
{
    public const int AF_NETLINK = 16;
    public const int NETLINK_ROUTE = 0;
    public const int NETLINK_XFRM = 6;
    public const int SOL_NETLINK = 270;
    public const int NETLINK_ADD_MEMBERSHIP = 1;
    public const int NETLINK_CAP_ACK = 10;
    public const int NETLINK_EXT_ACK = 11;

    public const ushort NLM_F_REQUEST = 0x1;
    public const ushort NLM_F_MULTI = 0x2;
    public const ushort NLM_F_ACK = 0x4;
    public const ushort NLM_F_DUMP_INTR = 0x10;
    public const ushort NLM_F_ROOT = 0x100;
    public const ushort NLM_F_MATCH = 0x200;
    public const ushort NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;

    // Modifiers of NEW requests.
    public const ushort NLM_F_REPLACE = 0x100;
    public const ushort NLM_F_EXCL = 0x200;
    public const ushort NLM_F_CREATE = 0x400;

    /// <summary>In an NLMSG_ERROR: the echoed request was cut to its header.</summary>
    public const ushort NLM_F_CAPPED = 0x100;

    /// <summary>In an NLMSG_ERROR: extended-ack attributes follow the echoed request.</summary>
    public const ushort NLM_F_ACK_TLVS = 0x200;

    public const ushort NLMSG_NOOP = 1;
    public const ushort NLMSG_ERROR = 2;
    public const ushort NLMSG_DONE = 3;

    /// <summary>Extended ack attribute: a NUL-terminated message from the kernel explaining the error.</summary>
    public const ushort NLMSGERR_ATTR_MSG = 1;

    public const int NLMSG_ALIGNTO = 4;

    public static int Align(int length) => (length + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);
}
