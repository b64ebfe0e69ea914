using IkeSharp.Config;
using IkeSharp.Linux.Nat;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Daemon.Hosting;

/// <summary>
/// The NAT-instance side of the gateway: checks (or sets) the forwarding sysctls and installs the
/// tunnels' NAT policies before any tunnel comes up; removes IkeSharp's nftables table on stop.
/// </summary>
internal sealed partial class GatewayPolicy(DaemonSettings settings, ILogger<GatewayPolicy> logger) : IHostedService
{
    private readonly Lock _sync = new();
    private string? _applied;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Update(settings);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            if (_applied is not null)
            {
                NftablesNat.Remove();
                _applied = null;
                LogRemoved(NftablesNat.Table);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Brings the nftables table in line with <paramref name="next"/> (at start and on reload): the
    /// whole table is replaced in one transaction when its rules change, removed when no NAT is
    /// configured any more, and left alone otherwise.
    /// </summary>
    public void Update(DaemonSettings next)
    {
        lock (_sync)
        {
            if (next.NatPolicies.IsEmpty && next.Egress is null)
            {
                if (_applied is not null)
                {
                    NftablesNat.Remove();
                    _applied = null;
                    LogRemoved(NftablesNat.Table);
                }

                return;
            }

            var rules = NftablesNat.Render(next.NatPolicies, next.Egress);
            if (rules == _applied)
            {
                return;
            }

            if (RoutePreflight.Check(next.NatPolicies) is { Count: > 0 } unrouted)
            {
                throw new InvalidOperationException($"NAT policy cannot work: {string.Join("; ", unrouted)}");
            }

            if (next.Egress is { } e && !SysctlPreflight.HasInterface(e.Interface))
            {
                throw new InvalidOperationException($"daemon.egress_interface: this host has no interface {e.Interface} (see 'ip -br link')");
            }

            var peers = next.Engine.Tunnels.Where(t => next.NatPolicies.Any(p => p.Tunnel == t.Name)).SelectMany(t => t.RemoteAddresses);
            CheckSysctls(next, RoutePreflight.Interfaces(next.NatPolicies, peers, next.Egress));
            try
            {
                NftablesNat.Apply(next.NatPolicies, next.Egress);
            }
            catch (IOException ex)
            {
                // ikesharpd and the control server report InvalidOperationException as one line; nft's refusal is such a line.
                throw new InvalidOperationException(ex.Message, ex);
            }

            _applied = rules;
            if (next.Egress is { } egress)
            {
                LogEgress(string.Join(", ", egress.Sources), egress.Interface);
            }

            foreach (var policy in next.NatPolicies)
            {
                var targets = policy.DnatMap.Select(m => $"{m.To} (from {m.From})").Concat(policy.DnatTarget is { } t ? [t.ToString()] : []).ToList();
                LogPolicy(policy.Tunnel, policy.PublicIp.ToString(), string.Join(", ", policy.InternalSources), string.Join(", ", policy.RemoteSubnets),
                    targets.Count == 0 ? "(nothing)" : string.Join(", ", targets), policy.DnatServices.IsEmpty ? "all" : string.Join(", ", policy.DnatServices));
            }
        }
    }

    private void CheckSysctls(DaemonSettings next, IReadOnlyList<string> interfaces)
    {
        var wrong = SysctlPreflight.Check(interfaces);
        if (wrong.Count > 0 && next.SetSysctls)
        {
            SetSysctls(next, wrong);
            LogSysctlsSet(string.Join(", ", wrong.Select(w => $"{SysctlPreflight.Name(w.Key)}={w.Needed}")));
        }
        else if (wrong.Count > 0)
        {
            throw new InvalidOperationException($"this host is not set up as a NAT gateway ({string.Join("; ", wrong.Select(w => $"{SysctlPreflight.Name(w.Key)} is {w.Current}, needs {w.Needed}"))}); " +
                $"run: {SysctlPreflight.FixCommand(wrong)}  (or set daemon {{ sysctl = set }})");
        }
    }

    /// <summary>
    /// Writes the sysctls for <c>sysctl = set</c>; one it cannot write is the config's error, reported
    /// at the <c>sysctl</c> key with what to do instead, since the daemon cannot fix it itself.
    /// </summary>
    /// <exception cref="ConfigException">A sysctl could not be written.</exception>
    internal static void SetSysctls(DaemonSettings next, IReadOnlyList<(string Key, string Current, string Needed)> wrong, Action<string, string>? write = null)
    {
        try
        {
            SysctlPreflight.Apply(wrong, write);
        }
        catch (IOException e)
        {
            throw new ConfigException(next.ConfigFile, next.SysctlLine, "daemon.sysctl", e.Message,
                "run ikesharpd as root, or set the sysctls where /proc/sys is writable: on the host, or in the container's settings " +
                $"(docker run --sysctl, compose 'sysctls:'), then use sysctl = check; the command: {SysctlPreflight.FixCommand(wrong)}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "set gateway sysctls: {Settings}")]
    private partial void LogSysctlsSet(string settings);

    [LoggerMessage(Level = LogLevel.Information, Message = "NAT for tunnel {Tunnel}: {Sources} -> {Remote} leaves as {PublicIp}; {PublicIp} is forwarded to {Target} for {Services}")]
    private partial void LogPolicy(string tunnel, string publicIp, string sources, string remote, string target, string services);

    [LoggerMessage(Level = LogLevel.Information, Message = "internet egress: {Sources} masqueraded on {Interface}, tunnel destinations exempted")]
    private partial void LogEgress(string sources, string @interface);

    [LoggerMessage(Level = LogLevel.Information, Message = "removed nftables table ip {Table}")]
    private partial void LogRemoved(string table);
}
