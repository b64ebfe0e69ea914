// ikesharpd is a Linux gateway daemon (netlink, XFRM, TUN, nftables, Unix sockets).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
