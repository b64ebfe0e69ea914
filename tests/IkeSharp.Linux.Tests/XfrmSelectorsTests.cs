using System.Net;
using FsCheck;
using FsCheck.Xunit;
using IkeSharp.Linux.Userspace;
using IkeSharp.Linux.Xfrm;
using IkeSharp.Protocol;

namespace IkeSharp.Linux.Tests;

/// <summary>Traffic selector ranges become XFRM prefixes and port masks that cover exactly the range.</summary>
public class XfrmSelectorsTests
{
    [Fact]
    public void A_subnet_is_one_prefix_and_a_range_the_fewest_prefixes()
    {
        var subnet = TrafficSelector.ForRange(IPAddress.Parse("10.1.0.0"), IPAddress.Parse("10.1.0.255"));
        var range = TrafficSelector.ForRange(IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.6"));

        Assert.Equal(["10.1.0.0/24"], XfrmSelectors.Prefixes(subnet).Select(p => p.ToString()));
        Assert.Equal(["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"], XfrmSelectors.Prefixes(range).Select(p => p.ToString()));
    }

    // 10.0.0.1-10.255.255.254 is 46 prefixes, ports 1-65534 are 30 blocks: one pair alone needs 1.9 million policies.
    [Fact]
    public void Counting_a_pair_of_wide_ranges_makes_none_of_their_selectors()
    {
        var wide = new TrafficSelector(TrafficSelectorType.TS_IPV4_ADDR_RANGE, 0, 1, 65534, IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.255.255.254"));

        Assert.Equal(46L * 46 * 30 * 30, XfrmSelectors.CountBetween(wide, wide));
        Assert.True(XfrmSelectors.CountBetween(wide, wide) > KernelDatapath.MaxPoliciesPerChild);
    }

    [Property(MaxTest = 200)]
    public bool Counting_agrees_with_making(uint a, uint b, ushort p, ushort q)
    {
        var (low, high) = (0x0a000000 | (Math.Min(a, b) >> 20), 0x0a000000 | (Math.Max(a, b) >> 20)); // within 10.0.15.255: few prefixes
        var source = new TrafficSelector(TrafficSelectorType.TS_IPV4_ADDR_RANGE, 0, Math.Min(p, q), Math.Max(p, q), V4(low), V4(high));
        var destination = TrafficSelector.ForRange(IPAddress.Parse("10.0.0.3"), IPAddress.Parse("10.0.0.9"));
        return XfrmSelectors.CountBetween(source, destination) == XfrmSelectors.Between(source, destination).Count;
    }

    private static IPAddress V4(uint address) => new([(byte)(address >> 24), (byte)(address >> 16), (byte)(address >> 8), (byte)address]);

    // The counter wraps after 32,767: a reqid still held by an installed Child SA is skipped.
    [Fact]
    public void A_reqid_still_in_use_is_never_handed_out_again_after_the_counter_wraps()
    {
        uint counter = 0x7ffd;
        var inUse = new[] { KernelDatapath.ReqIdBase | 0x7ffd, KernelDatapath.ReqIdBase | 0, KernelDatapath.ReqIdBase | 1 };

        var first = KernelDatapath.NextReqId(KernelDatapath.ReqIdBase, ref counter, inUse);
        var second = KernelDatapath.NextReqId(KernelDatapath.ReqIdBase, ref counter, inUse);

        Assert.Equal(KernelDatapath.ReqIdBase | 0x7ffe, first);
        Assert.Equal(KernelDatapath.ReqIdBase | 2, second); // 0x7fff is the probe's; 0 and 1 are taken
        Assert.Throws<InvalidOperationException>(() => KernelDatapath.NextReqId(KernelDatapath.ReqIdBase, ref counter, Enumerable.Range(0, 0x7fff).Select(i => KernelDatapath.ReqIdBase | (uint)i)));
    }

    [Fact]
    public void Everything_is_the_zero_prefix()
    {
        var all = TrafficSelector.ForRange(IPAddress.Parse("0.0.0.0"), IPAddress.Parse("255.255.255.255"));
        var all6 = TrafficSelector.ForRange(IPAddress.IPv6Any, IPAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));

        Assert.Equal(["0.0.0.0/0"], XfrmSelectors.Prefixes(all).Select(p => p.ToString()));
        Assert.Equal(["::/0"], XfrmSelectors.Prefixes(all6).Select(p => p.ToString()));
    }

    [Fact]
    public void Ports_any_single_and_ranges()
    {
        Assert.Equal([((ushort)0, (ushort)0)], XfrmSelectors.PortBlocks(0, 65535));
        Assert.Equal([((ushort)443, (ushort)0xffff)], XfrmSelectors.PortBlocks(443, 443));
        Assert.Equal([((ushort)1024, (ushort)0xfc00), ((ushort)2048, (ushort)0xffff)], XfrmSelectors.PortBlocks(1024, 2048));
    }

    [Property(MaxTest = 300)]
    public void Prefixes_cover_the_range_exactly(uint a, uint b)
    {
        var (start, end) = a <= b ? (a, b) : (b, a);
        var selector = TrafficSelector.ForRange(Address(start), Address(end));

        var prefixes = XfrmSelectors.Prefixes(selector);

        // Contiguous, in order, from start to end, each aligned to its size.
        var next = (ulong)start;
        foreach (var prefix in prefixes)
        {
            var first = (ulong)SelectorRange.Number(prefix.BaseAddress);
            var size = 1UL << (32 - prefix.PrefixLength);
            Assert.Equal(next, first);
            Assert.Equal(0UL, first % size);
            next = first + size;
        }

        Assert.Equal((ulong)end + 1, next);
        Assert.True(prefixes.Count <= 62);
    }

    [Property(MaxTest = 300)]
    public void Port_blocks_cover_the_range_exactly(ushort a, ushort b)
    {
        var (start, end) = a <= b ? (a, b) : (b, a);

        var covered = XfrmSelectors.PortBlocks(start, end)
            .SelectMany(block => Enumerable.Range(0, 65536).Where(p => (p & block.Mask) == block.Port))
            .Order()
            .ToList();

        Assert.Equal(Enumerable.Range(start, end - start + 1), covered);
    }

    [Fact]
    public void Priorities_follow_strongswan_more_specific_wins_and_traps_lose_by_one()
    {
        var subnets = new XfrmSelector(IPNetwork.Parse("10.1.0.0/24"), IPNetwork.Parse("10.2.0.0/24"));
        var hosts = new XfrmSelector(IPNetwork.Parse("10.1.0.1/32"), IPNetwork.Parse("10.2.0.1/32"));

        Assert.Equal(375423u, KernelDatapath.Priority(subnets, trap: false)); // as strongSwan 5.9.8 installs it
        Assert.Equal(375424u, KernelDatapath.Priority(subnets, trap: true));
        Assert.True(KernelDatapath.Priority(hosts, false) < KernelDatapath.Priority(subnets, false));
        Assert.True(KernelDatapath.Priority(subnets with { Protocol = 6, DestinationPort = 443, DestinationPortMask = 0xffff }, false) < KernelDatapath.Priority(subnets, false));
    }

    private static IPAddress Address(uint value) => new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
}
