using System.Collections.Immutable;
using System.Net;
using IkeSharp.Engine;

namespace IkeSharp.Daemon.Configuration;

/// <summary>Which datapath carries the negotiated Child SAs.</summary>
public enum DatapathKind
{
    /// <summary>Kernel XFRM if the kernel can install ESP SAs, else user space (later releases).</summary>
    Auto,
    /// <summary>Record the Child SAs and keys it was asked to install, protect no traffic (for tests and dry runs).</summary>
    Record,
}

/// <summary>Everything the daemon runs with: engine options plus host settings.</summary>
public sealed record DaemonSettings(
    string ConfigFile,
    EngineOptions Engine,
    ImmutableArray<IPAddress> Listen,
    DatapathKind Datapath,
    string ControlSocket);
