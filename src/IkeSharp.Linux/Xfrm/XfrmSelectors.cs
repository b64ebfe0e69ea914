using System.Net;
using System.Numerics;
using IkeSharp.Linux.Userspace;
using IkeSharp.Protocol;

namespace IkeSharp.Linux.Xfrm;

/// <summary>
/// IKE traffic selectors are address and port ranges (RFC 7296 §3.13.1); XFRM selectors are a
/// prefix and a port with a mask. A range becomes the exact set of prefixes (and port/mask
/// blocks) that covers it, so nothing outside the negotiated selectors is ever protected or
/// accepted; the pair of a local and a remote selector becomes the cross product.
/// </summary>
internal static class XfrmSelectors
{
    /// <summary>Selectors for traffic from <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public static List<XfrmSelector> Between(TrafficSelector source, TrafficSelector destination)
    {
        var protocol = source.IpProtocol != 0 ? source.IpProtocol : destination.IpProtocol;
        var selectors = new List<XfrmSelector>();
        foreach (var s in Prefixes(source))
        {
            foreach (var d in Prefixes(destination))
            {
                if (s.BaseAddress.AddressFamily != d.BaseAddress.AddressFamily)
                {
                    continue;
                }

                foreach (var (sport, smask) in PortBlocks(source.StartPort, source.EndPort))
                {
                    foreach (var (dport, dmask) in PortBlocks(destination.StartPort, destination.EndPort))
                    {
                        selectors.Add(new XfrmSelector(s, d, protocol, sport, smask, dport, dmask));
                    }
                }
            }
        }

        return selectors;
    }

    /// <summary>How many selectors <see cref="Between"/> makes, counted without making them (a range that is no prefix multiplies).</summary>
    public static long CountBetween(TrafficSelector source, TrafficSelector destination)
        => source.Type != destination.Type ? 0
            : (long)Prefixes(source).Count * Prefixes(destination).Count
                * PortBlocks(source.StartPort, source.EndPort).Count * PortBlocks(destination.StartPort, destination.EndPort).Count;

    /// <summary>The fewest prefixes whose union is exactly the selector's address range.</summary>
    public static List<IPNetwork> Prefixes(TrafficSelector selector)
    {
        var v6 = selector.Type == TrafficSelectorType.TS_IPV6_ADDR_RANGE;
        var bits = v6 ? 128 : 32;
        var start = SelectorRange.Number(selector.StartAddress!);
        var end = SelectorRange.Number(selector.EndAddress!);
        var prefixes = new List<IPNetwork>();
        while (start <= end)
        {
            // The largest aligned block starting at 'start' that does not pass 'end'.
            var size = start == 0 ? bits : Math.Min(bits, (int)UInt128.TrailingZeroCount(start));
            while (size > 0 && (size == 128 ? UInt128.MaxValue : (UInt128.One << size) - 1) > end - start)
            {
                size--;
            }

            prefixes.Add(new IPNetwork(Address(start, v6), bits - size));
            var last = start + (size == 128 ? UInt128.MaxValue : (UInt128.One << size) - 1);
            if (last == (v6 ? UInt128.MaxValue : uint.MaxValue))
            {
                break;
            }

            start = last + 1;
        }

        return prefixes;
    }

    /// <summary>A port range as (port, mask) blocks; the whole range is (0, 0), "any".</summary>
    public static List<(ushort Port, ushort Mask)> PortBlocks(ushort start, ushort end)
    {
        if (start == 0 && end == ushort.MaxValue)
        {
            return [(0, 0)];
        }

        var blocks = new List<(ushort, ushort)>();
        var port = (int)start;
        while (port <= end)
        {
            var size = port == 0 ? 16 : BitOperations.TrailingZeroCount(port);
            while (size > 0 && port + (1 << size) - 1 > end)
            {
                size--;
            }

            blocks.Add(((ushort)port, (ushort)(0xffff << size)));
            port += 1 << size;
        }

        return blocks;
    }

    private static IPAddress Address(UInt128 value, bool v6)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (v6)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
            return new IPAddress(bytes);
        }

        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
        return new IPAddress(bytes[..4]);
    }
}
