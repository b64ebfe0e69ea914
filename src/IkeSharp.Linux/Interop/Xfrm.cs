using System.Runtime.InteropServices;

namespace IkeSharp.Linux.Interop;

#pragma warning disable CS8981, IDE1006, CA1051 // kernel names and layouts kept as in <linux/xfrm.h>

/// <summary>
/// <c>xfrm_address_t</c>: an IPv4 address in the first 4 octets, or an IPv6 address (network order).
/// A union of <c>__be32</c>s in C, so 4-aligned: declared as words to keep the containing structs' offsets.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
internal unsafe struct xfrm_address_t
{
    public fixed uint a6[4];
}

/// <summary><c>struct xfrm_selector</c> (56 octets): the flow a policy or transport-mode SA applies to.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct xfrm_selector
{
    public xfrm_address_t daddr;
    public xfrm_address_t saddr;
    public ushort dport;        // __be16
    public ushort dport_mask;   // __be16
    public ushort sport;        // __be16
    public ushort sport_mask;   // __be16
    public ushort family;
    public byte prefixlen_d;
    public byte prefixlen_s;
    public byte proto;
    public int ifindex;
    public uint user;
}

/// <summary><c>struct xfrm_id</c> (24 octets): destination, SPI (network order) and protocol of an SA.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct xfrm_id
{
    public xfrm_address_t daddr;
    public uint spi;            // __be32
    public byte proto;
}

/// <summary><c>struct xfrm_lifetime_cfg</c> (64 octets); <see cref="xfrm.XFRM_INF"/> means no limit.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct xfrm_lifetime_cfg
{
    public ulong soft_byte_limit;
    public ulong hard_byte_limit;
    public ulong soft_packet_limit;
    public ulong hard_packet_limit;
    public ulong soft_add_expires_seconds;
    public ulong hard_add_expires_seconds;
    public ulong soft_use_expires_seconds;
    public ulong hard_use_expires_seconds;
}

/// <summary><c>struct xfrm_lifetime_cur</c> (32 octets): what an SA has carried so far.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct xfrm_lifetime_cur
{
    public ulong bytes;
    public ulong packets;
    public ulong add_time;
    public ulong use_time;
}

/// <summary><c>struct xfrm_stats</c> (12 octets).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct xfrm_stats
{
    public uint replay_window;
    public uint replay;
    public uint integrity_failed;
}

/// <summary><c>struct xfrm_usersa_info</c> (224 octets): the fixed part of NEWSA/UPDSA and of SA dumps.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct xfrm_usersa_info
{
    public xfrm_selector sel;
    public xfrm_id id;
    public xfrm_address_t saddr;
    public xfrm_lifetime_cfg lft;
    public xfrm_lifetime_cur curlft;
    public xfrm_stats stats;
    public uint seq;
    public uint reqid;
    public ushort family;
    public byte mode;
    public byte replay_window;
    public byte flags;
}

/// <summary><c>struct xfrm_usersa_id</c> (24 octets): names an SA for GETSA/DELSA.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct xfrm_usersa_id
{
    public xfrm_address_t daddr;
    public uint spi;            // __be32
    public ushort family;
    public byte proto;
}

/// <summary><c>struct xfrm_userspi_info</c> (232 octets): ALLOCSPI's request.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct xfrm_userspi_info
{
    public xfrm_usersa_info info;
    public uint min;
    public uint max;
}

/// <summary><c>struct xfrm_userpolicy_info</c> (168 octets): the fixed part of NEWPOLICY/UPDPOLICY and of policy dumps.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct xfrm_userpolicy_info
{
    public xfrm_selector sel;
    public xfrm_lifetime_cfg lft;
    public xfrm_lifetime_cur curlft;
    public uint priority;
    public uint index;
    public byte dir;
    public byte action;
    public byte flags;
    public byte share;
}

/// <summary><c>struct xfrm_userpolicy_id</c> (64 octets): names a policy for DELPOLICY/GETPOLICY.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct xfrm_userpolicy_id
{
    public xfrm_selector sel;
    public uint index;
    public byte dir;
}

/// <summary><c>struct xfrm_user_tmpl</c> (64 octets): the SA a policy requires (XFRMA_TMPL).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct xfrm_user_tmpl
{
    public xfrm_id id;
    public ushort family;
    public xfrm_address_t saddr;
    public uint reqid;
    public byte mode;
    public byte share;
    public byte optional;
    public uint aalgos;
    public uint ealgos;
    public uint calgos;
}

/// <summary><c>struct xfrm_encap_tmpl</c> (24 octets): UDP encapsulation of ESP (XFRMA_ENCAP).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct xfrm_encap_tmpl
{
    public ushort encap_type;
    public ushort encap_sport;  // __be16
    public ushort encap_dport;  // __be16
    public xfrm_address_t encap_oa;
}

/// <summary><c>struct xfrm_replay_state_esn</c> without its bitmap (24 octets; XFRMA_REPLAY_ESN_VAL).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct xfrm_replay_state_esn
{
    public uint bmp_len;
    public uint oseq;
    public uint seq;
    public uint oseq_hi;
    public uint seq_hi;
    public uint replay_window;
}

/// <summary><c>struct xfrm_user_acquire</c> (280 octets): the kernel wants an SA for a flow.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct xfrm_user_acquire
{
    public xfrm_id id;
    public xfrm_address_t saddr;
    public xfrm_selector sel;
    public xfrm_userpolicy_info policy;
    public uint aalgos;
    public uint ealgos;
    public uint calgos;
    public uint seq;
}

/// <summary><c>struct xfrm_user_expire</c> (232 octets): an SA reached its soft or hard lifetime.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct xfrm_user_expire
{
    public xfrm_usersa_info state;
    public byte hard;
}

/// <summary>Constants of <c>&lt;linux/xfrm.h&gt;</c> and <c>&lt;linux/udp.h&gt;</c> that IkeSharp uses.</summary>
internal static class xfrm
{
    public const ushort XFRM_MSG_NEWSA = 0x10;
    public const ushort XFRM_MSG_DELSA = 0x11;
    public const ushort XFRM_MSG_GETSA = 0x12;
    public const ushort XFRM_MSG_NEWPOLICY = 0x13;
    public const ushort XFRM_MSG_DELPOLICY = 0x14;
    public const ushort XFRM_MSG_GETPOLICY = 0x15;
    public const ushort XFRM_MSG_ALLOCSPI = 0x16;
    public const ushort XFRM_MSG_ACQUIRE = 0x17;
    public const ushort XFRM_MSG_EXPIRE = 0x18;
    public const ushort XFRM_MSG_UPDPOLICY = 0x19;
    public const ushort XFRM_MSG_UPDSA = 0x1a;
    public const ushort XFRM_MSG_POLEXPIRE = 0x1b;

    public const ushort XFRMA_ALG_AUTH = 1;
    public const ushort XFRMA_ALG_CRYPT = 2;
    public const ushort XFRMA_ENCAP = 4;
    public const ushort XFRMA_TMPL = 5;
    public const ushort XFRMA_ALG_AEAD = 18;
    public const ushort XFRMA_ALG_AUTH_TRUNC = 20;
    public const ushort XFRMA_REPLAY_ESN_VAL = 23;

    /// <summary>Multicast groups (bit numbers for NETLINK_ADD_MEMBERSHIP).</summary>
    public const int XFRMNLGRP_ACQUIRE = 1;
    public const int XFRMNLGRP_EXPIRE = 2;

    public const byte XFRM_POLICY_IN = 0;
    public const byte XFRM_POLICY_OUT = 1;
    public const byte XFRM_POLICY_FWD = 2;
    public const byte XFRM_POLICY_ALLOW = 0;
    public const byte XFRM_POLICY_BLOCK = 1;

    public const byte XFRM_MODE_TRANSPORT = 0;
    public const byte XFRM_MODE_TUNNEL = 1;

    public const byte XFRM_STATE_AF_UNSPEC = 32;
    public const byte XFRM_STATE_ESN = 128;

    public const ulong XFRM_INF = ulong.MaxValue;

    public const byte IPPROTO_ESP = 50;

    /// <summary>Socket options of <c>&lt;linux/in.h&gt;</c>/<c>&lt;linux/in6.h&gt;</c> taking a per-socket policy.</summary>
    public const int IP_XFRM_POLICY = 17;
    public const int IPV6_XFRM_POLICY = 35;

    /// <summary><c>UDP_ENCAP</c> with <c>UDP_ENCAP_ESPINUDP</c>: the kernel takes ESP-in-UDP (RFC 3948) off this socket.</summary>
    public const int SOL_UDP = 17;
    public const int UDP_ENCAP = 100;
    public const int UDP_ENCAP_ESPINUDP = 2;

    /// <summary>Size of the key-name field of xfrm_algo, xfrm_algo_auth and xfrm_algo_aead.</summary>
    public const int AlgorithmNameSize = 64;
}
