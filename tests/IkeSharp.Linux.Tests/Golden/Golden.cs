namespace IkeSharp.Linux.Tests;

/// <summary>One captured iproute2 exchange (Golden/FAMILY/NAME.txt, see capture.sh): the request and each reply datagram.</summary>
internal sealed record Golden(string RequestHex, uint Sequence, List<byte[]> Replies)
{
    public static Golden Load(string family, string name)
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Golden", family, name + ".txt"));
        var request = lines.Single(l => l.StartsWith("request ", StringComparison.Ordinal))["request ".Length..];
        var replies = lines.Where(l => l.StartsWith("reply ", StringComparison.Ordinal)).Select(l => Convert.FromHexString(l["reply ".Length..])).ToList();
        // nlmsg_seq is time(NULL) when iproute2 ran: take it from the captured header.
        return new Golden(request, BitConverter.ToUInt32(Convert.FromHexString(request), 8), replies);
    }

    /// <summary>A 32-bit field of the request (e.g. an interface index iproute2 looked up).</summary>
    public int RequestInt32(int offset) => BitConverter.ToInt32(Convert.FromHexString(RequestHex), offset);
}
