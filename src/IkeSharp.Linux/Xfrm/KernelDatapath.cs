using System.Net;
using System.Security.Cryptography;
using IkeSharp.Crypto;
using IkeSharp.Engine;
using IkeSharp.Linux.Interop;
using IkeSharp.Linux.Netlink;
using IkeSharp.Linux.Routing;
using IkeSharp.Protocol;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Linux.Xfrm;

/// <summary>
/// ESP in the Linux kernel through XFRM netlink, as strongSwan's kernel-netlink does it: inbound
/// SPIs from ALLOCSPI, both SAs of a Child SA in tunnel mode (UDP-encapsulated when NAT-T is on),
/// out/in/fwd policies whose templates tie them to the SAs by reqid, routes in table 220 with a
/// source inside the local selectors, trap policies that raise ACQUIRE, and EXPIRE events.
/// <para>
/// Ownership: every SA and policy template IkeSharp installs carries a reqid in
/// <see cref="ReqIdBase"/>..+0xffff. At start and at stop, state in that range is removed and
/// nothing else is touched, so a crashed run's leftovers go away and other daemons' stay.
/// </para>
/// Policies of a trap and of the Child SA it brought up share selectors: each (selector,
/// direction) keeps a list of claims and the kernel holds the Child SA's policy when there is one,
/// the trap's otherwise.
/// </summary>
public sealed partial class KernelDatapath : IDatapath
{
    /// <summary>IkeSharp's reqids: 0x4953xxxx ("IS"); trap policies use the upper half of the range.</summary>
    public const uint ReqIdBase = 0x49530000;
    private const uint TrapReqIdBase = ReqIdBase | 0x8000;

    /// <summary>Kernel policies (out, in and fwd) one Child SA or trap may need.</summary>
    internal const int MaxPoliciesPerChild = 4096;

    /// <summary>strongSwan's default inbound SPI range: recognisable in captures, never a reserved value.</summary>
    private const uint SpiMin = 0xc0000000, SpiMax = 0xcfffffff;

    private readonly NetlinkSocket _socket;
    private readonly NetlinkSocket _events;
    private readonly int _replayWindow;
    private readonly ILogger<KernelDatapath> _logger;
    private readonly Lock _sync = new();
    private readonly Dictionary<uint, InstalledChild> _children = [];
    private readonly Dictionary<(XfrmSelector Selector, XfrmDirection Direction), List<PolicyClaim>> _policies = [];
    private readonly Dictionary<(string Tunnel, string Child), uint> _traps = [];
    private readonly HashSet<uint> _larval = [];
    private readonly PolicyRouting _routing;
    private readonly Thread _eventThread;
    private uint _nextTrap;
    private uint _nextChild;
    private volatile bool _stopping;

    private KernelDatapath(NetlinkSocket socket, NetlinkSocket events, PolicyRouting routing, int replayWindow, ILogger<KernelDatapath> logger)
    {
        _socket = socket;
        _events = events;
        _routing = routing;
        _replayWindow = replayWindow;
        _logger = logger;
        _eventThread = new Thread(EventLoop) { IsBackground = true, Name = "xfrm-events" };
    }

    /// <summary>Opens the XFRM sockets, removes leftovers of an earlier run and starts listening for ACQUIRE and EXPIRE.</summary>
    public static KernelDatapath Open(int replayWindow, ILogger<KernelDatapath> logger)
    {
        var socket = NetlinkSocket.OpenXfrm();
        NetlinkSocket? events = null;
        PolicyRouting routing;
        try
        {
            events = NetlinkSocket.OpenXfrm(xfrm.XFRMNLGRP_ACQUIRE, xfrm.XFRMNLGRP_EXPIRE);
            routing = PolicyRouting.Open(logger);
        }
        catch
        {
            events?.Dispose();
            socket.Dispose();
            throw;
        }

        var datapath = new KernelDatapath(socket, events, routing, replayWindow, logger);
        var (states, policies) = datapath.RemoveOwnedState();
        if (states + policies > 0)
        {
            LogLeftovers(logger, states, policies);
        }

        datapath._eventThread.Start();
        return datapath;
    }

    /// <summary>
    /// Whether this kernel can hold ESP SAs: installs a throw-away AES-GCM SA on the loopback
    /// address and removes it again. The answer names the kernel's reason when it cannot.
    /// </summary>
    public static (bool Usable, string Reason) Probe()
    {
        try
        {
            using var socket = NetlinkSocket.OpenXfrm();
            var spi = (uint)RandomNumberGenerator.GetInt32(0x100, int.MaxValue);
            var spec = new XfrmStateSpec
            {
                Source = IPAddress.Loopback,
                Destination = IPAddress.Loopback,
                Spi = spi,
                ReqId = ReqIdBase | 0x7fff,
                Aead = new XfrmAlgorithm("rfc4106(gcm(aes))", new byte[20], 128),
            };
            var sequence = socket.NextSequence();
            socket.Execute("installing a test ESP SA", XfrmRequests.NewState(spec, sequence), sequence);
            sequence = socket.NextSequence();
            socket.Execute("removing the test ESP SA", XfrmRequests.StateId(xfrm.XFRM_MSG_DELSA, IPAddress.Loopback, IPAddress.Loopback, spi, sequence), sequence);
            return (true, "the kernel accepted a test ESP SA with rfc4106(gcm(aes))");
        }
        catch (NetlinkException e)
        {
            return (false, e.Message);
        }
    }

    /// <summary>
    /// Readies an IKE socket for kernel ESP, as strongSwan does: per-socket allow policies in both
    /// directions so IKE never matches a tunnel policy, and on port 4500 UDP_ENCAP_ESPINUDP so the
    /// kernel takes ESP-in-UDP (and NAT keepalives) off the socket and hands over only IKE.
    /// </summary>
    public static void PrepareIkeSocket(System.Net.Sockets.Socket socket, IPEndPoint endpoint)
    {
        var v6 = endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var (level, option) = v6 ? (41 /* SOL_IPV6 */, xfrm.IPV6_XFRM_POLICY) : (0 /* SOL_IP */, xfrm.IP_XFRM_POLICY);
        foreach (var direction in new[] { XfrmDirection.In, XfrmDirection.Out })
        {
            socket.SetRawSocketOption(level, option, XfrmRequests.SocketBypassPolicy(direction, endpoint.AddressFamily));
        }

        if (endpoint.Port == UdpEncapsulation.NatTraversalPort)
        {
            socket.SetRawSocketOption(xfrm.SOL_UDP, xfrm.UDP_ENCAP, BitConverter.GetBytes(xfrm.UDP_ENCAP_ESPINUDP));
        }
    }

    public string Description => $"kernel: ESP SAs and policies in the Linux kernel via XFRM netlink (reqids {ReqIdBase:x8}..{ReqIdBase | 0xffff:x8}, routes in table {PolicyRouting.Table})";

    public Action<DatapathEvent>? Events { get; set; }

    /// <summary>The kernel's XFRM error counters (<c>/proc/net/xfrm_stat</c>) that are not zero.</summary>
    public IReadOnlyDictionary<string, long> Drops
    {
        get
        {
            try
            {
                return File.ReadLines("/proc/net/xfrm_stat")
                    .Select(l => l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                    .Where(f => f.Length == 2 && long.TryParse(f[1], out var n) && n != 0)
                    .ToDictionary(f => f[0], f => long.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                return new Dictionary<string, long>();
            }
        }
    }

    public uint AllocateInboundSpi(IPAddress local, IPAddress remote)
    {
        var sequence = _socket.NextSequence();
        var reply = _socket.Query($"allocating an inbound SPI for ESP from {remote} to {local}", XfrmRequests.AllocateSpi(remote, local, 0, SpiMin, SpiMax, sequence), sequence);
        var spi = XfrmReplies.State(reply)?.Spi ?? throw new NetlinkException("allocating an inbound SPI", -71, "the kernel's answer was not an SA");
        lock (_sync)
        {
            _larval.Add(spi);
        }

        return spi;
    }

    public uint Install(ChildSaInstallation installation)
    {
        using (installation)
        {
            InstalledChild child;
            lock (_sync)
            {
                // A Child SA brought up by a trap takes the trap's reqid, as strongSwan does: the kernel then
                // replaces the placeholder state it made for the ACQUIRE with the real SA.
                var reqId = installation.ReqId != 0 ? installation.ReqId
                    : _traps.TryGetValue((installation.Tunnel, installation.Child), out var trapReqId) ? trapReqId
                    : NextReqId(ReqIdBase, ref _nextChild, _children.Values.Select(c => c.ReqId));
                child = new InstalledChild(installation.Tunnel, installation.Child, reqId,
                    installation.Local, installation.Remote, installation.UdpEncapsulation, installation.InboundSpi, installation.OutboundSpi, installation.Suite,
                    installation.InboundEncryptionKey.Span.ToArray(), installation.InboundIntegrityKey.Span.ToArray(),
                    installation.OutboundEncryptionKey.Span.ToArray(), installation.OutboundIntegrityKey.Span.ToArray(),
                    installation.LocalTrafficSelectors, installation.RemoteTrafficSelectors, installation.Lifetime);
                try
                {
                    AddState(child, inbound: true, update: _larval.Remove(child.InboundSpi));
                    AddState(child, inbound: false, update: false);
                    _children[child.InboundSpi] = child;
                    ClaimPolicies(ChildOwner(child.InboundSpi), child.ReqId, child.Local.Address, child.Remote.Address, child.LocalSelectors, child.RemoteSelectors, trap: false, outboundSpi: child.OutboundSpi, first: installation.SendsAtOnce);
                    AddRoutes(child);
                }
                catch
                {
                    RemoveChild(child);
                    throw;
                }
            }

            LogInstalled(child.Child, child.InboundSpi, child.OutboundSpi, child.ReqId, child.Suite.ToString(), child.Encapsulated ? " in UDP" : "");
            return child.ReqId;
        }
    }

    public void Remove(RemoveChildSa removal)
    {
        lock (_sync)
        {
            if (_children.TryGetValue(removal.InboundSpi, out var child))
            {
                RemoveChild(child);
                LogRemoved(child.Child, child.InboundSpi, child.OutboundSpi);
            }
        }
    }

    public void UpdateEndpoints(UpdateChildSaEndpoints update)
    {
        lock (_sync)
        {
            if (!_children.TryGetValue(update.InboundSpi, out var old) || (old.Local.Equals(update.Local) && old.Remote.Equals(update.Remote)))
            {
                return;
            }

            var moved = old with { Local = update.Local, Remote = update.Remote, Encapsulated = old.Encapsulated || update.Remote.Port != 500 };
            // Same addresses, new ports (the usual NAT rebinding): UPDSA keeps sequence numbers and replay state.
            // A new address changes the SA's identity, so it is replaced (its counters start again).
            foreach (var inbound in new[] { true, false })
            {
                var sameId = inbound ? old.Local.Address.Equals(moved.Local.Address) : old.Remote.Address.Equals(moved.Remote.Address);
                if (!sameId)
                {
                    DeleteState(old, inbound);
                }

                AddState(moved, inbound, update: sameId);
            }

            ReleasePolicies(ChildOwner(old.InboundSpi));
            ClaimPolicies(ChildOwner(moved.InboundSpi), moved.ReqId, moved.Local.Address, moved.Remote.Address, moved.LocalSelectors, moved.RemoteSelectors, trap: false, outboundSpi: moved.OutboundSpi);
            _children[moved.InboundSpi] = moved;
            LogMoved(moved.Child, moved.Local, moved.Remote);
        }
    }

    public ChildSaCounters? CountersFor(uint inboundSpi)
    {
        InstalledChild? child;
        lock (_sync)
        {
            child = _children.GetValueOrDefault(inboundSpi);
        }

        if (child is null)
        {
            return null;
        }

        try
        {
            var inbound = GetState(child.Remote.Address, child.Local.Address, child.InboundSpi);
            var outbound = GetState(child.Local.Address, child.Remote.Address, child.OutboundSpi);
            return new ChildSaCounters((long)inbound.Packets, (long)inbound.Bytes, (long)outbound.Packets, (long)outbound.Bytes);
        }
        catch (NetlinkException)
        {
            return null;
        }
    }

    /// <summary>Trap policies for a tunnel: the first matching packet raises an ACQUIRE that brings it up.</summary>
    public void InstallTraps(InstallTrapPolicies trap)
    {
        if (trap.Local is null || trap.Remote is null)
        {
            LogTrapWithoutAddresses(trap.Tunnel);
            return;
        }

        lock (_sync)
        {
            var owner = TrapOwner(trap.Tunnel);
            ReleasePolicies(owner);
            foreach (var child in trap.Children)
            {
                if (!_traps.TryGetValue((trap.Tunnel, child.Name), out var reqId))
                {
                    reqId = NextReqId(TrapReqIdBase, ref _nextTrap, _traps.Values);
                    _traps[(trap.Tunnel, child.Name)] = reqId;
                }

                ClaimPolicies(owner, reqId, trap.Local, trap.Remote, child.LocalTrafficSelectors, child.RemoteTrafficSelectors, trap: true, outboundSpi: 0);
                LogTrapped(trap.Tunnel, child.Name, reqId, $"{string.Join(" ", child.LocalTrafficSelectors)} === {string.Join(" ", child.RemoteTrafficSelectors)}");
            }
        }
    }

    public void RemoveTraps(string tunnel)
    {
        lock (_sync)
        {
            foreach (var key in _traps.Keys.Where(k => k.Tunnel == tunnel).ToList())
            {
                _traps.Remove(key);
            }

            ReleasePolicies(TrapOwner(tunnel));
        }
    }

    public void Dispose()
    {
        _stopping = true;
        if (_eventThread.IsAlive)
        {
            _eventThread.Join();
        }

        _events.Dispose();
        lock (_sync)
        {
            foreach (var child in _children.Values.ToList())
            {
                TryRemove(() => RemoveChild(child));
            }

            foreach (var tunnel in _traps.Keys.Select(k => k.Tunnel).Distinct().ToList())
            {
                TryRemove(() => RemoveTraps(tunnel));
            }

            var (states, policies) = RemoveOwnedState();
            LogStopped(states, policies);
        }

        _routing.Dispose();
        _socket.Dispose();
    }

    private void TryRemove(Action remove)
    {
        try
        {
            remove();
        }
        catch (NetlinkException e)
        {
            LogCleanupFailed(e.Message);
        }
    }

    private static string TrapOwner(string tunnel) => $"trap:{tunnel}";

    private static string ChildOwner(uint inboundSpi) => $"child:{inboundSpi:x8}";

    private void RemoveChild(InstalledChild child)
    {
        _children.Remove(child.InboundSpi);
        ReleasePolicies(ChildOwner(child.InboundSpi));
        RemoveRoutes(child);
        foreach (var inbound in new[] { true, false })
        {
            try
            {
                DeleteState(child, inbound);
            }
            catch (NetlinkException e) when (e.Errno == 3 /* ESRCH: already gone, e.g. hard-expired */)
            {
            }
        }

        child.Dispose();
    }

    private void AddState(InstalledChild child, bool inbound, bool update)
    {
        var (source, destination) = inbound ? (child.Remote, child.Local) : (child.Local, child.Remote);
        var (aead, crypt, auth) = inbound
            ? KernelAlgorithms.For(child.Suite, child.InboundEncryptionKey, child.InboundIntegrityKey)
            : KernelAlgorithms.For(child.Suite, child.OutboundEncryptionKey, child.OutboundIntegrityKey);
        var spec = new XfrmStateSpec
        {
            Source = source.Address,
            Destination = destination.Address,
            Spi = inbound ? child.InboundSpi : child.OutboundSpi,
            ReqId = child.ReqId,
            Aead = aead,
            Crypt = crypt,
            Auth = auth,
            ReplayWindow = _replayWindow,
            ExtendedSequenceNumbers = child.Suite.ExtendedSequenceNumbers,
            Lifetime = new XfrmLifetime(child.Lifetime.RekeyBytes, child.Lifetime.LifeBytes, child.Lifetime.RekeyPackets, child.Lifetime.LifePackets,
                (ulong)child.Lifetime.RekeyTime.TotalSeconds, (ulong)child.Lifetime.LifeTime.TotalSeconds),
            Encapsulation = child.Encapsulated ? new XfrmEncapsulation((ushort)source.Port, (ushort)destination.Port) : null,
        };
        var what = $"installing the {(inbound ? "inbound" : "outbound")} ESP SA {spec.Spi:x8} of {child.Child} ({source.Address} -> {destination.Address}, {aead?.Name ?? $"{crypt?.Name} + {auth?.Name}"})";
        var sequence = _socket.NextSequence();
        try
        {
            _socket.Execute(what, XfrmRequests.NewState(spec, sequence, update), sequence);
        }
        catch (NetlinkException e) when (update && e.Errno is 3 or 2)
        {
            // The larval SA from ALLOCSPI expired (the negotiation took long): add it afresh.
            sequence = _socket.NextSequence();
            _socket.Execute(what, XfrmRequests.NewState(spec, sequence), sequence);
        }
    }

    private void DeleteState(InstalledChild child, bool inbound)
    {
        var (source, destination, spi) = inbound ? (child.Remote, child.Local, child.InboundSpi) : (child.Local, child.Remote, child.OutboundSpi);
        var sequence = _socket.NextSequence();
        _socket.Execute($"removing the ESP SA {spi:x8} of {child.Child}", XfrmRequests.StateId(xfrm.XFRM_MSG_DELSA, source.Address, destination.Address, spi, sequence), sequence);
    }

    private XfrmStateInfo GetState(IPAddress source, IPAddress destination, uint spi)
    {
        var sequence = _socket.NextSequence();
        var reply = _socket.Query($"reading the ESP SA {spi:x8}", XfrmRequests.StateId(xfrm.XFRM_MSG_GETSA, source, destination, spi, sequence), sequence);
        return XfrmReplies.State(reply) ?? throw new NetlinkException($"reading the ESP SA {spi:x8}", -71, "the kernel's answer was not an SA");
    }

    /// <summary>out (local → remote) and in + fwd (remote → local) for every pair of selectors.</summary>
    /// <exception cref="InvalidOperationException">They would need more than <see cref="MaxPoliciesPerChild"/> policies.</exception>
    private void ClaimPolicies(string owner, uint reqId, IPAddress local, IPAddress remote,
        IEnumerable<TrafficSelector> localSelectors, IEnumerable<TrafficSelector> remoteSelectors, bool trap, uint outboundSpi, bool first = false)
    {
        // Ranges that are no prefixes (10.0.0.1-10.255.255.254, ports 1-65534) expand into prefix and
        // port blocks, multiplied per pair: a peer's proposal must not make millions of policies.
        var needed = localSelectors.Sum(l => remoteSelectors.Sum(r => XfrmSelectors.CountBetween(l, r) + (2 * XfrmSelectors.CountBetween(r, l))));
        if (needed > MaxPoliciesPerChild)
        {
            throw new InvalidOperationException($"the selectors {string.Join(" ", localSelectors)} === {string.Join(" ", remoteSelectors)} need {needed} XFRM policies, more than the {MaxPoliciesPerChild} IkeSharp installs for one Child SA; write local_ts/remote_ts as prefixes");
        }

        foreach (var l in localSelectors)
        {
            foreach (var r in remoteSelectors)
            {
                foreach (var selector in XfrmSelectors.Between(l, r))
                {
                    Claim(new PolicyClaim(owner, trap, new XfrmPolicySpec(selector, XfrmDirection.Out, Priority(selector, trap), new XfrmTemplate(local, remote, reqId, outboundSpi))), first);
                }

                foreach (var selector in XfrmSelectors.Between(r, l))
                {
                    Claim(new PolicyClaim(owner, trap, new XfrmPolicySpec(selector, XfrmDirection.In, Priority(selector, trap), new XfrmTemplate(remote, local, reqId))));
                    Claim(new PolicyClaim(owner, trap, new XfrmPolicySpec(selector, XfrmDirection.Fwd, Priority(selector, trap), new XfrmTemplate(remote, local, reqId))));
                }
            }
        }
    }

    /// <summary>Adds a claim on a policy; the first Child SA claim is the one in force, so <paramref name="first"/> takes over at once.</summary>
    private void Claim(PolicyClaim claim, bool first = false)
    {
        var key = (claim.Spec.Selector, claim.Spec.Direction);
        if (!_policies.TryGetValue(key, out var claims))
        {
            _policies[key] = claims = [];
        }

        var before = Effective(claims);
        if (first)
        {
            claims.Insert(0, claim);
        }
        else
        {
            claims.Add(claim);
        }

        try
        {
            Apply(before, Effective(claims));
        }
        catch
        {
            claims.Remove(claim);
            if (claims.Count == 0)
            {
                _policies.Remove(key);
            }

            throw;
        }
    }

    private void ReleasePolicies(string owner)
    {
        foreach (var (key, claims) in _policies.ToList())
        {
            var before = Effective(claims);
            if (claims.RemoveAll(c => c.Owner == owner) == 0)
            {
                continue;
            }

            if (claims.Count == 0)
            {
                _policies.Remove(key);
                var sequence = _socket.NextSequence();
                try
                {
                    _socket.Execute($"removing the {key.Direction.ToString().ToLowerInvariant()} policy {key.Selector}", XfrmRequests.DeletePolicy(key.Selector, key.Direction, sequence), sequence);
                }
                catch (NetlinkException e) when (e.Errno == 2 /* ENOENT: removed by someone else */)
                {
                }
            }
            else
            {
                Apply(before, Effective(claims));
            }
        }
    }

    /// <summary>A Child SA's policy wins over a trap's for the same selector and direction.</summary>
    private static XfrmPolicySpec? Effective(List<PolicyClaim> claims)
        => (claims.FirstOrDefault(c => !c.Trap) ?? claims.FirstOrDefault())?.Spec;

    private void Apply(XfrmPolicySpec? before, XfrmPolicySpec? after)
    {
        if (after is null || after == before)
        {
            return;
        }

        var sequence = _socket.NextSequence();
        _socket.Execute($"installing the {after.Direction.ToString().ToLowerInvariant()} policy {after.Selector}", XfrmRequests.NewPolicy(after, sequence, update: before is not null), sequence);
    }

    /// <summary>
    /// strongSwan's ordering: more specific selectors (longer prefixes, a protocol, port masks) get a
    /// smaller value, i.e. win; a trap policy loses by one to a regular one.
    /// </summary>
    internal static uint Priority(XfrmSelector selector, bool trap)
    {
        var priority = 400_000u;
        priority -= (uint)(selector.Source.PrefixLength + selector.Destination.PrefixLength) * 512;
        priority -= selector.Protocol != 0 ? 256u : 0;
        priority -= (uint)(System.Numerics.BitOperations.PopCount(selector.SourcePortMask) + System.Numerics.BitOperations.PopCount(selector.DestinationPortMask)) * 4;
        return trap ? priority : priority - 1;
    }

    /// <summary>
    /// Routes to the remote selectors in table 220 along the path to the peer, with a source address
    /// inside the local selectors when this host has one (so its own traffic matches the policies).
    /// </summary>
    private void AddRoutes(InstalledChild child)
    {
        var path = _routing.Lookup(child.Remote.Address, child.Local.Address);
        var source = LocalAddresses.Within(child.LocalSelectors);
        foreach (var prefix in child.RemoteSelectors.SelectMany(XfrmSelectors.Prefixes))
        {
            _routing.Add(prefix, path.OutputInterface, path.Gateway, source);
        }
    }

    private void RemoveRoutes(InstalledChild child)
    {
        foreach (var prefix in child.RemoteSelectors.SelectMany(XfrmSelectors.Prefixes))
        {
            _routing.Remove(prefix);
        }
    }

    /// <summary>
    /// The next reqid of a half of IkeSharp's range (<paramref name="half"/> | 0..0x7ffe; 0x7fff is the
    /// probe's) that none of <paramref name="inUse"/> holds: after 32,766 the counter wraps, and a
    /// long-running gateway must not give a new Child SA the reqid of one that is still there.
    /// </summary>
    internal static uint NextReqId(uint half, ref uint counter, IEnumerable<uint> inUse)
    {
        var taken = inUse.ToHashSet();
        for (var i = 0; i < 0x7fff; i++)
        {
            var candidate = half | (counter++ % 0x7fff);
            if (!taken.Contains(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"all {0x7fff} reqids from {half:x8} are in use");
    }

    /// <summary>Deletes every SA and policy in this namespace whose reqid is IkeSharp's, and only those.</summary>
    private (int States, int Policies) RemoveOwnedState()
    {
        static bool Owned(uint reqId) => (reqId & 0xffff0000) == ReqIdBase;
        var states = 0;
        var policies = 0;
        var sequence = _socket.NextSequence();
        foreach (var message in _socket.Dump("listing SAs", XfrmRequests.Dump(xfrm.XFRM_MSG_GETSA, sequence), sequence))
        {
            if (XfrmReplies.State(message) is { } state && Owned(state.ReqId))
            {
                var delete = _socket.NextSequence();
                TryRemove(() => _socket.Execute($"removing the leftover SA {state.Spi:x8}", XfrmRequests.StateId(xfrm.XFRM_MSG_DELSA, state.Source, state.Destination, state.Spi, delete), delete));
                states++;
            }
        }

        sequence = _socket.NextSequence();
        foreach (var message in _socket.Dump("listing policies", XfrmRequests.Dump(xfrm.XFRM_MSG_GETPOLICY, sequence), sequence))
        {
            if (XfrmReplies.Policy(message) is { Template: { } template } policy && Owned(template.ReqId))
            {
                var delete = _socket.NextSequence();
                TryRemove(() => _socket.Execute($"removing the leftover policy {policy.Selector}", XfrmRequests.DeletePolicy(policy.Selector, policy.Direction, delete), delete));
                policies++;
            }
        }

        return (states, policies);
    }

    private void EventLoop()
    {
        while (!_stopping)
        {
            foreach (var message in _events.ReceiveEvents())
            {
                try
                {
                    Dispatch(message);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    LogEventFailed(message.Type, e.Message);
                }
            }
        }
    }

    private void Dispatch(NetlinkMessage message)
    {
        switch (message.Type)
        {
            case xfrm.XFRM_MSG_ACQUIRE when XfrmReplies.Acquire(message) is { } acquire:
                string? tunnel;
                lock (_sync)
                {
                    tunnel = _traps.Where(t => t.Value == acquire.ReqId).Select(t => t.Key.Tunnel).FirstOrDefault()
                        ?? _children.Values.FirstOrDefault(c => c.ReqId == acquire.ReqId)?.Tunnel;
                }

                if (tunnel is null)
                {
                    return;
                }

                LogAcquire(tunnel, acquire.Flow.ToString(), acquire.ReqId);
                Events?.Invoke(new TrafficAcquired(tunnel, acquire.Flow.ToString()));
                break;
            case xfrm.XFRM_MSG_EXPIRE when XfrmReplies.Expire(message) is { } expire && (expire.State.ReqId & 0xffff0000) == ReqIdBase:
                LogExpire(expire.Hard ? "hard" : "soft", expire.State.Spi, expire.State.ReqId, expire.State.Bytes, expire.State.Packets);
                Events?.Invoke(new ChildSaExpired(expire.State.Spi, expire.Hard));
                break;
        }
    }

    /// <summary>What is installed for one Child SA; holds copies of its keys (for endpoint updates) until removed.</summary>
    private sealed record InstalledChild(
        string Tunnel,
        string Child,
        uint ReqId,
        IPEndPoint Local,
        IPEndPoint Remote,
        bool Encapsulated,
        uint InboundSpi,
        uint OutboundSpi,
        ChildSaCipherSuite Suite,
        byte[] InboundEncryptionKey,
        byte[] InboundIntegrityKey,
        byte[] OutboundEncryptionKey,
        byte[] OutboundIntegrityKey,
        System.Collections.Immutable.ImmutableArray<TrafficSelector> LocalSelectors,
        System.Collections.Immutable.ImmutableArray<TrafficSelector> RemoteSelectors,
        Engine.Configuration.ChildLifetime Lifetime) : IDisposable
    {
        public void Dispose()
        {
            CryptographicOperations.ZeroMemory(InboundEncryptionKey);
            CryptographicOperations.ZeroMemory(InboundIntegrityKey);
            CryptographicOperations.ZeroMemory(OutboundEncryptionKey);
            CryptographicOperations.ZeroMemory(OutboundIntegrityKey);
        }
    }

    private sealed record PolicyClaim(string Owner, bool Trap, XfrmPolicySpec Spec);

    [LoggerMessage(Level = LogLevel.Warning, Message = "removed {States} SA(s) and {Policies} policy(ies) left over by an earlier IkeSharp run")]
    private static partial void LogLeftovers(ILogger logger, int states, int policies);

    [LoggerMessage(Level = LogLevel.Information, Message = "ESP SAs of {Child} installed in the kernel: in {InboundSpi:x8}, out {OutboundSpi:x8}, reqid {ReqId:x8}, {Suite}{Encapsulation}")]
    private partial void LogInstalled(string child, uint inboundSpi, uint outboundSpi, uint reqId, string suite, string encapsulation);

    [LoggerMessage(Level = LogLevel.Information, Message = "ESP SAs of {Child} removed from the kernel: in {InboundSpi:x8}, out {OutboundSpi:x8}")]
    private partial void LogRemoved(string child, uint inboundSpi, uint outboundSpi);

    [LoggerMessage(Level = LogLevel.Information, Message = "ESP SAs of {Child} moved to {Local} <=> {Remote}")]
    private partial void LogMoved(string child, IPEndPoint local, IPEndPoint remote);

    [LoggerMessage(Level = LogLevel.Information, Message = "trap policies for {Tunnel}/{Child} installed (reqid {ReqId:x8}): {Selectors}; the first matching packet brings the tunnel up")]
    private partial void LogTrapped(string tunnel, string child, uint reqId, string selectors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "tunnel {Tunnel} has start_action/dpd_action trap but no local or remote address: trap policies need both (set local_addrs and remote_addrs)")]
    private partial void LogTrapWithoutAddresses(string tunnel);

    [LoggerMessage(Level = LogLevel.Information, Message = "kernel ACQUIRE: traffic {Flow} hit the trap of {Tunnel} (reqid {ReqId:x8}); bringing it up")]
    private partial void LogAcquire(string tunnel, string flow, uint reqId);

    [LoggerMessage(Level = LogLevel.Information, Message = "kernel EXPIRE ({Kind}) of ESP SA {Spi:x8} (reqid {ReqId:x8}) after {Bytes} bytes, {Packets} packets")]
    private partial void LogExpire(string kind, uint spi, uint reqId, ulong bytes, ulong packets);


    [LoggerMessage(Level = LogLevel.Warning, Message = "kernel event {Type} could not be handled: {Error}")]
    private partial void LogEventFailed(ushort type, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cleanup step failed: {Error}")]
    private partial void LogCleanupFailed(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "kernel datapath stopped: removed {States} SA(s) and {Policies} policy(ies) of IkeSharp")]
    private partial void LogStopped(int states, int policies);
}
