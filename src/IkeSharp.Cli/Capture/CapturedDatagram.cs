using System.Net;

namespace IkeSharp.Cli.Capture;

/// <summary>One UDP datagram found in a capture file.</summary>
/// <param name="FrameNumber">
/// 1-based index of the packet record the datagram came from, counting every packet record in file
/// order (including skipped ones), so it matches Wireshark's frame number.
/// </param>
/// <param name="Timestamp">Capture time in UTC (100 ns resolution; finer capture resolution is truncated).</param>
/// <param name="Source">IP source address and UDP source port.</param>
/// <param name="Destination">IP destination address and UDP destination port.</param>
/// <param name="Payload">The UDP payload, sized by the UDP length field; owned by this datagram.</param>
internal readonly record struct CapturedDatagram(
    int FrameNumber,
    DateTimeOffset Timestamp,
    IPEndPoint Source,
    IPEndPoint Destination,
    ReadOnlyMemory<byte> Payload);
