using System.Net;
using System.Net.Sockets;
using IkeSharp.Engine;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Linux.Interop;
using IkeSharp.Linux.Netlink;
using IkeSharp.Linux.Xfrm;
using IkeSharp.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace IkeSharp.Linux.Tests;

/// <summary>
/// The XFRM socket against this machine's real kernel, each test in its own network namespace.
/// This kernel has XFRM but (see lab notes) maybe no ESP: policies, ALLOCSPI, dumps and deletes
/// work either way; SAs with keys are proven in the QEMU kernel lab.
/// </summary>
public class XfrmNamespaceTests
{
    private static readonly IPAddress Left = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress Right = IPAddress.Parse("192.0.2.2");
    private static readonly XfrmSelector Outbound = new(IPNetwork.Parse("10.1.0.0/24"), IPNetwork.Parse("10.2.0.0/24"));

    [SkippableFact]
    public void Policies_are_installed_dumped_and_deleted()
    {
        using var ns = NetworkNamespace.Create();

        var (installed, afterDelete) = ns.Run(() =>
        {
            using var socket = NetlinkSocket.OpenXfrm();
            var sequence = socket.NextSequence();
            socket.Execute("adding", XfrmRequests.NewPolicy(new XfrmPolicySpec(Outbound, XfrmDirection.Out, 375423, new XfrmTemplate(Left, Right, 0x49530001)), sequence), sequence);
            sequence = socket.NextSequence();
            var installed = socket.Dump("dumping", XfrmRequests.Dump(xfrm.XFRM_MSG_GETPOLICY, sequence), sequence).Select(m => XfrmReplies.Policy(m)).ToList();
            sequence = socket.NextSequence();
            socket.Execute("deleting", XfrmRequests.DeletePolicy(Outbound, XfrmDirection.Out, sequence), sequence);
            sequence = socket.NextSequence();
            return (installed, socket.Dump("dumping", XfrmRequests.Dump(xfrm.XFRM_MSG_GETPOLICY, sequence), sequence).Count);
        });

        var policy = Assert.Single(installed)!;
        Assert.Equal((Outbound, XfrmDirection.Out, 375423u, false), (policy.Selector, policy.Direction, policy.Priority, policy.Block));
        Assert.Equal(new XfrmTemplate(Left, Right, 0x49530001), policy.Template);
        Assert.Equal(0, afterDelete);
    }

    [SkippableFact]
    public void A_duplicate_policy_is_refused_with_the_operation_and_errno()
    {
        using var ns = NetworkNamespace.Create();

        var error = ns.Run(() =>
        {
            using var socket = NetlinkSocket.OpenXfrm();
            var spec = new XfrmPolicySpec(Outbound, XfrmDirection.Out, 1000, null);
            var sequence = socket.NextSequence();
            socket.Execute("adding", XfrmRequests.NewPolicy(spec, sequence), sequence);
            sequence = socket.NextSequence();
            return Assert.Throws<NetlinkException>(() => socket.Execute("adding it again", XfrmRequests.NewPolicy(spec, sequence), sequence));
        });

        Assert.Equal(17, error.Errno);
        Assert.StartsWith("adding it again failed: EEXIST (17)", error.Message);
    }

    [SkippableFact]
    public void Allocated_spis_come_from_the_kernel_in_the_asked_range()
    {
        using var ns = NetworkNamespace.Create();

        var (spi, larval) = ns.Run(() =>
        {
            using var socket = NetlinkSocket.OpenXfrm();
            var sequence = socket.NextSequence();
            var reply = socket.Query("allocating", XfrmRequests.AllocateSpi(Right, Left, 0, 0xc0000000, 0xcfffffff, sequence), sequence);
            var spi = XfrmReplies.State(reply)!.Spi;
            sequence = socket.NextSequence();
            var larval = socket.Dump("dumping", XfrmRequests.Dump(xfrm.XFRM_MSG_GETSA, sequence), sequence).Select(m => XfrmReplies.State(m)!).ToList();
            sequence = socket.NextSequence();
            socket.Execute("deleting", XfrmRequests.StateId(xfrm.XFRM_MSG_DELSA, Right, Left, spi, sequence), sequence);
            return (spi, larval);
        });

        Assert.InRange(spi, 0xc0000000, 0xcfffffff);
        var state = Assert.Single(larval);
        Assert.Equal((Right, Left, spi), (state.Source, state.Destination, state.Spi));
    }

    [SkippableFact]
    public void The_probe_says_whether_the_kernel_takes_esp_and_why_not()
    {
        using var ns = NetworkNamespace.Create();

        var (usable, reason) = ns.Run(KernelDatapath.Probe);

        // iproute2's verdict on the same SA is the reference.
        bool iproute2Usable;
        try
        {
            ns.Ip("xfrm", "state", "add", "src", "127.0.0.1", "dst", "127.0.0.1", "proto", "esp", "spi", "0x1000", "mode", "tunnel",
                "aead", "rfc4106(gcm(aes))", "0x" + new string('0', 40), "128");
            iproute2Usable = true;
        }
        catch (InvalidOperationException)
        {
            iproute2Usable = false;
        }

        Assert.Equal(iproute2Usable, usable);
        if (usable)
        {
            Assert.Contains("accepted a test ESP SA", reason);
            Assert.DoesNotContain("0x", ns.Ip("xfrm", "state", "list").Replace("0x00001000", "", StringComparison.Ordinal)); // only iproute2's own SA is left
        }
        else
        {
            // e.g. "installing a test ESP SA failed: ENOSYS (38): Requested AEAD algorithm not found"
            Assert.StartsWith("installing a test ESP SA failed: ", reason);
            Assert.Contains("not found", reason);
        }
    }

    [SkippableFact]
    public void Leftovers_of_ikesharp_are_removed_at_start_and_nothing_else()
    {
        using var ns = NetworkNamespace.Create();
        // A crashed run's policy (IkeSharp reqid) and another daemon's (reqid 7).
        ns.Ip("xfrm", "policy", "add", "src", "10.1.0.0/24", "dst", "10.2.0.0/24", "dir", "out", "tmpl", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "reqid", "0x49530005", "mode", "tunnel");
        ns.Ip("xfrm", "policy", "add", "src", "10.3.0.0/24", "dst", "10.4.0.0/24", "dir", "out", "tmpl", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "reqid", "7", "mode", "tunnel");

        ns.Run(() =>
        {
            KernelDatapath.Open(32, NullLogger<KernelDatapath>.Instance).Dispose();
            return 0;
        });

        var remaining = ns.Ip("xfrm", "policy", "list");
        Assert.DoesNotContain("10.1.0.0/24", remaining);
        Assert.Contains("10.3.0.0/24", remaining);
    }

    [SkippableFact]
    public void A_packet_hitting_a_trap_policy_raises_an_acquire_for_its_tunnel_and_stop_removes_the_traps()
    {
        using var ns = NetworkNamespace.Create();
        ns.Ip("link", "add", "wan", "type", "veth", "peer", "name", "wan-peer");
        ns.Ip("link", "set", "wan-peer", "up");
        ns.Ip("addr", "add", "192.0.2.1/24", "dev", "wan");
        ns.Ip("addr", "add", "10.1.0.1/24", "dev", "wan");
        ns.Ip("link", "set", "wan", "up");
        ns.Ip("route", "add", "10.2.0.0/24", "dev", "wan");
        var child = new ChildConfig("net", [TrafficSelectorNarrowing.FromPrefix("10.1.0.0/24")], [TrafficSelectorNarrowing.FromPrefix("10.2.0.0/24")], []);
        var acquired = new TaskCompletionSource<TrafficAcquired>(TaskCreationOptions.RunContinuationsAsynchronously);

        var (policies, afterStop) = ns.Run(() =>
        {
            var datapath = KernelDatapath.Open(32, NullLogger<KernelDatapath>.Instance);
            datapath.Events = e => acquired.TrySetResult((TrafficAcquired)e);
            datapath.InstallTraps(new InstallTrapPolicies("customer", Left, Right, [child]));
            var policies = ns.Ip("xfrm", "policy", "list");
            using (var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                udp.Bind(new IPEndPoint(IPAddress.Parse("10.1.0.1"), 0));
                try
                {
                    udp.SendTo("hello"u8, new IPEndPoint(IPAddress.Parse("10.2.0.1"), 9));
                }
                catch (SocketException)
                {
                    // The kernel may refuse the packet while it waits for an SA; the ACQUIRE is what counts.
                }
            }

            acquired.Task.Wait(TimeSpan.FromSeconds(5));
            datapath.Dispose();
            return (policies, ns.Ip("xfrm", "policy", "list"));
        });

        Assert.True(acquired.Task.IsCompletedSuccessfully, "no ACQUIRE arrived for the trapped packet");
        Assert.Equal("customer", acquired.Task.Result.Tunnel);
        Assert.Contains("10.1.0.1", acquired.Task.Result.Flow);
        // out, in and fwd, with strongSwan's trap priority, tied to IkeSharp's trap reqid range
        Assert.Contains("dir out priority 375424", policies);
        Assert.Contains("dir in priority 375424", policies);
        Assert.Contains("dir fwd priority 375424", policies);
        Assert.Contains("reqid 1230209024", policies); // 0x49538000
        Assert.Empty(afterStop.Trim());
    }

    // 10.0.0.1-10.255.255.254 ports 1-65534 both ways: millions of policies; none is installed.
    [SkippableFact]
    public void Selectors_that_would_need_more_than_the_policy_limit_are_refused_and_install_nothing()
    {
        using var ns = NetworkNamespace.Create();
        var wide = new TrafficSelector(TrafficSelectorType.TS_IPV4_ADDR_RANGE, 0, 1, 65534, IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.255.255.254"));
        var child = new ChildConfig("net", [wide], [wide], []);

        var (error, policies) = ns.Run(() =>
        {
            using var datapath = KernelDatapath.Open(32, NullLogger<KernelDatapath>.Instance);
            var error = Assert.Throws<InvalidOperationException>(() => datapath.InstallTraps(new InstallTrapPolicies("customer", Left, Right, [child])));
            return (error.Message, ns.Ip("xfrm", "policy", "list"));
        });

        Assert.Contains($"need {46L * 46 * 30 * 30 * 3} XFRM policies, more than the 4096 IkeSharp installs for one Child SA", error);
        Assert.Empty(policies.Trim());
    }

    [SkippableFact]
    public void IKE_sockets_bypass_a_policy_that_blocks_everything_else()
    {
        using var ns = NetworkNamespace.Create();
        // Loopback is exempt from XFRM, so the packets leave on a veth pair whose far end has no address.
        ns.Ip("link", "add", "wan", "type", "veth", "peer", "name", "wan-peer");
        ns.Ip("addr", "add", "192.0.2.1/24", "dev", "wan");
        ns.Ip("link", "set", "wan", "up");
        ns.Ip("link", "set", "wan-peer", "up");
        ns.Ip("xfrm", "policy", "add", "src", "0.0.0.0/0", "dst", "0.0.0.0/0", "dir", "out", "action", "block");
        var peer = new IPEndPoint(IPAddress.Parse("192.0.2.2"), 9);
        var local = IPAddress.Parse("192.0.2.1");

        var (plain, ike, natt) = ns.Run(() =>
        {
            static SocketError Send(IPEndPoint local, IPEndPoint peer, bool prepare)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(local);
                if (prepare)
                {
                    KernelDatapath.PrepareIkeSocket(socket, local);
                }

                try
                {
                    socket.SendTo("ike"u8, peer);
                    return SocketError.Success;
                }
                catch (SocketException e)
                {
                    return e.SocketErrorCode;
                }
            }

            return (Send(new IPEndPoint(local, 0), peer, prepare: false),
                Send(new IPEndPoint(local, 500), peer, prepare: true),
                Send(new IPEndPoint(local, 4500), peer, prepare: true));
        });

        Assert.Equal(SocketError.AccessDenied, plain); // EPERM from the block policy
        Assert.Equal(SocketError.Success, ike);
        Assert.Equal(SocketError.Success, natt);
    }
}
