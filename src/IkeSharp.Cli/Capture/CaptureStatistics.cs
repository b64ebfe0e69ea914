namespace IkeSharp.Cli.Capture;

/// <summary>
/// Counters filled in while <see cref="CaptureFile.ReadUdpDatagrams(Stream, CaptureStatistics)"/> is
/// enumerated, so a caller can tell the user why fewer datagrams than frames were printed.
/// Every frame lands in exactly one of <see cref="UdpDatagrams"/> or the <c>Skipped*</c> counters.
/// </summary>
internal sealed class CaptureStatistics
{
    /// <summary>Packet records read (pcap records; pcapng EPB, SPB and OPB blocks).</summary>
    public int Frames { get; internal set; }

    /// <summary>Frames that yielded a UDP datagram.</summary>
    public int UdpDatagrams { get; internal set; }

    /// <summary>Frames whose link-layer header type this reader does not decode.</summary>
    public int SkippedUnsupportedLinkType { get; internal set; }

    /// <summary>Frames that carry neither IPv4 nor IPv6 (ARP, LLC, ...).</summary>
    public int SkippedNotIp { get; internal set; }

    /// <summary>IP packets that are not UDP (TCP, ICMP, ESP, ...).</summary>
    public int SkippedNotUdp { get; internal set; }

    /// <summary>
    /// IP fragments, first fragments included: a large IKE message (certificates) sent without
    /// RFC 7383 IKE fragmentation is IP-fragmented and this reader does not reassemble.
    /// </summary>
    public int SkippedFragments { get; internal set; }

    /// <summary>Frames cut short by the capture snapshot length before the end of the UDP datagram.</summary>
    public int SkippedTruncated { get; internal set; }

    /// <summary>Frames whose IP or UDP header is inconsistent (bad IHL, UDP length beyond the IP packet, ...).</summary>
    public int SkippedMalformed { get; internal set; }
}
