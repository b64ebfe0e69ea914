// The configuration describes a Linux gateway (secrets file modes, nftables policies).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
