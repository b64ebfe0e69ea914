using System.Net;
using System.Numerics;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Negotiation;

/// <summary>
/// Traffic selector narrowing (RFC 7296 §2.9): the responder answers with the intersection of what
/// the initiator proposed and what its policy allows; empty means TS_UNACCEPTABLE. The initiator
/// checks that what came back is within what it proposed.
/// </summary>
public static class TrafficSelectorNarrowing
{
    /// <summary>Every non-empty intersection of a proposed selector with an allowed one, in proposal order.</summary>
    public static List<TrafficSelector> Narrow(IEnumerable<TrafficSelector> proposed, IReadOnlyList<TrafficSelector> allowed)
    {
        var result = new List<TrafficSelector>();
        foreach (var p in proposed)
        {
            foreach (var a in allowed)
            {
                if (Intersect(p, a) is { } narrowed && !result.Contains(narrowed))
                {
                    result.Add(narrowed);
                }
            }
        }

        return result;
    }

    /// <summary>True when every selector in <paramref name="inner"/> lies inside one of <paramref name="outer"/>.</summary>
    public static bool IsSubset(IEnumerable<TrafficSelector> inner, IReadOnlyList<TrafficSelector> outer)
        => inner.All(i => outer.Any(o => Intersect(i, o) is { } x && x == i));

    public static TrafficSelector? Intersect(TrafficSelector a, TrafficSelector b)
    {
        if (a.Type != b.Type || a.StartAddress is null || b.StartAddress is null || a.EndAddress is null || b.EndAddress is null)
        {
            return null;
        }

        byte protocol;
        if (a.IpProtocol == b.IpProtocol || b.IpProtocol == 0)
        {
            protocol = a.IpProtocol;
        }
        else if (a.IpProtocol == 0)
        {
            protocol = b.IpProtocol;
        }
        else
        {
            return null;
        }

        var startPort = Math.Max(a.StartPort, b.StartPort);
        var endPort = Math.Min(a.EndPort, b.EndPort);
        var start = Max(a.StartAddress, b.StartAddress);
        var end = Min(a.EndAddress, b.EndAddress);
        if (startPort > endPort || ToNumber(start) > ToNumber(end))
        {
            return null;
        }

        return new TrafficSelector(a.Type, protocol, startPort, endPort, start, end);
    }

    /// <summary>A selector for a CIDR prefix ("10.1.0.0/24", "2001:db8::/64") or single address.</summary>
    public static TrafficSelector FromPrefix(string text, byte ipProtocol = 0, ushort startPort = 0, ushort endPort = ushort.MaxValue)
    {
        var slash = text.IndexOf('/');
        var address = IPAddress.Parse(slash < 0 ? text : text[..slash]);
        var bits = address.GetAddressBytes().Length * 8;
        var prefix = slash < 0 ? bits : int.Parse(text[(slash + 1)..]);
        if (prefix < 0 || prefix > bits)
        {
            throw new FormatException($"prefix length {prefix} is out of range for {address.AddressFamily} in '{text}'");
        }

        var bytes = address.GetAddressBytes();
        var first = (byte[])bytes.Clone();
        var last = (byte[])bytes.Clone();
        for (var i = prefix; i < bits; i++)
        {
            first[i / 8] &= (byte)~(0x80 >> (i % 8));
            last[i / 8] |= (byte)(0x80 >> (i % 8));
        }

        return TrafficSelector.ForRange(new IPAddress(first), new IPAddress(last), ipProtocol, startPort, endPort);
    }

    private static BigInteger ToNumber(IPAddress address) => new(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    private static IPAddress Max(IPAddress x, IPAddress y) => ToNumber(x) >= ToNumber(y) ? x : y;

    private static IPAddress Min(IPAddress x, IPAddress y) => ToNumber(x) <= ToNumber(y) ? x : y;
}
