using System.Collections.Immutable;
using System.Net;
using IkeSharp.Engine;

namespace IkeSharp.Config;

/// <summary>Which datapath carries the negotiated Child SAs.</summary>
public enum DatapathKind
{
    /// <summary>Kernel XFRM if the kernel can install ESP SAs, else user space when TUN is available, else record.</summary>
    Auto,
    /// <summary>Record the Child SAs and keys it was asked to install, protect no traffic (for tests and dry runs).</summary>
    Record,
    /// <summary>ESP in user space over a TUN device.</summary>
    Userspace,
    /// <summary>ESP SAs and policies in the Linux kernel via XFRM netlink.</summary>
    Kernel,
}

/// <summary>Everything the daemon runs with: engine options plus host settings.</summary>
public sealed record DaemonSettings(
    string ConfigFile,
    EngineOptions Engine,
    ImmutableArray<IPAddress> Listen,
    DatapathKind Datapath,
    string ControlSocket)
{
    /// <summary>Name of the user-space datapath's TUN device.</summary>
    public string TunDevice { get; init; } = "iks0";

    /// <summary>Anti-replay window of inbound ESP SAs (either datapath), in packets (RFC 4303 §3.4.3).</summary>
    public int ReplayWindow { get; init; } = 128;

    /// <summary>NAT policies of the tunnels that have a <c>nat</c> block.</summary>
    public ImmutableArray<NatPolicy> NatPolicies { get; init; } = [];

    /// <summary>When started from a swanctl.conf or an ipsec.conf: what the in-memory import could not carry over.</summary>
    public ImmutableArray<string> ImportReport { get; init; } = [];

    /// <summary>Internet egress masquerade of the gateway, if configured.</summary>
    public EgressPolicy? Egress { get; init; }

    /// <summary>The file the log also goes to, if any.</summary>
    public LogFileSettings? LogFile { get; init; }

    /// <summary>
    /// The proposal keys the config wrote (<c>tunnel.ike_proposals</c>, <c>tunnel.children.child.esp_proposals</c>):
    /// only those get weak-algorithm advice, since the defaults offer SHA-1 on purpose, for old peers.
    /// </summary>
    public ImmutableHashSet<string> ExplicitProposals { get; init; } = [];

    /// <summary>Set the gateway sysctls (forwarding on, redirects off) instead of only checking them.</summary>
    public bool SetSysctls { get; init; }

    /// <summary>The line of <c>daemon { sysctl }</c>, where a sysctl that cannot be set is reported.</summary>
    public int SysctlLine { get; init; }
}

/// <summary>
/// The daemon's log file (<c>daemon { log_file }</c> or <c>--log-file</c>) and where it was set, so
/// that failing to open it is reported like any other config error.
/// </summary>
/// <param name="SizeLimit">Bytes after which lines are dropped until the file is rotated; 0 for no limit.</param>
/// <param name="Key"><c>log_file</c>, or <c>--log-file</c> when the command line named it.</param>
public sealed record LogFileSettings(string Path, long SizeLimit, string ConfigFile, int Line, string Key)
{
    /// <summary>A backstop for a missing logrotate rule: lines are dropped, not the disk filled.</summary>
    public const long DefaultSizeLimit = 100L << 20;

    public ConfigException Error(string problem, string fix) => new(ConfigFile, Line, Key, problem, fix);
}
