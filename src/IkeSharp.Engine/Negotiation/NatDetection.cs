using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace IkeSharp.Engine.Negotiation;

/// <summary>
/// NAT_DETECTION_SOURCE_IP / _DESTINATION_IP data (RFC 7296 §2.23):
/// SHA-1(SPIi | SPIr | IP address | port). A mismatch on receipt means a NAT rewrote that side.
/// </summary>
public static class NatDetection
{
    public const int HashLength = 20;

    public static byte[] Hash(ulong spiI, ulong spiR, IPEndPoint endpoint)
    {
        Span<byte> input = stackalloc byte[8 + 8 + 16 + 2];
        BinaryPrimitives.WriteUInt64BigEndian(input, spiI);
        BinaryPrimitives.WriteUInt64BigEndian(input[8..], spiR);
        endpoint.Address.TryWriteBytes(input[16..], out var addressLength);
        BinaryPrimitives.WriteUInt16BigEndian(input[(16 + addressLength)..], (ushort)endpoint.Port);
#pragma warning disable CA5350 // RFC 7296 §2.23 fixes SHA-1 here; it is a NAT detector, not a security function.
        return SHA1.HashData(input[..(18 + addressLength)]);
#pragma warning restore CA5350
    }
}
