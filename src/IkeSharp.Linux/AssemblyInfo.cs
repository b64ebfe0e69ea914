// IkeSharp.Linux talks to the Linux kernel (TUN, netlink, XFRM).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
