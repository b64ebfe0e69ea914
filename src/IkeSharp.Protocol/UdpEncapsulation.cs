namespace IkeSharp.Protocol;

/// <summary>What a datagram on the IKE ports carries (RFC 3948 §2, RFC 7296 §2.23).</summary>
public enum UdpDatagramKind
{
    /// <summary>An IKE message; on port 4500 after the 4-octet non-ESP marker.</summary>
    Ike,
    /// <summary>An ESP packet in UDP (port 4500, first four octets a non-zero SPI).</summary>
    Esp,
    /// <summary>A NAT-keepalive: the single octet 0xFF (RFC 3948 §2.3).</summary>
    NatKeepalive,
    /// <summary>Too short to be anything on this port.</summary>
    Invalid,
}

/// <summary>Demultiplexes IKE, ESP-in-UDP and keepalives sharing UDP port 4500.</summary>
public static class UdpEncapsulation
{
    public const int IkePort = 500;
    public const int NatTraversalPort = 4500;

    /// <summary>RFC 3948 §2.2: four zero octets where an ESP SPI would be mark a non-ESP (IKE) packet.</summary>
    public const int NonEspMarkerLength = 4;

    /// <summary>
    /// Classifies a UDP payload received on <paramref name="port"/>; for IKE,
    /// <paramref name="ikeOffset"/> is where the IKE header starts.
    /// </summary>
    public static UdpDatagramKind Classify(ReadOnlySpan<byte> payload, int port, out int ikeOffset)
    {
        ikeOffset = 0;
        if (port != NatTraversalPort)
        {
            return payload.Length >= IkeHeader.Size ? UdpDatagramKind.Ike : UdpDatagramKind.Invalid;
        }

        if (payload.Length == 1 && payload[0] == 0xff)
        {
            return UdpDatagramKind.NatKeepalive;
        }

        if (payload.Length < NonEspMarkerLength)
        {
            return UdpDatagramKind.Invalid;
        }

        if (payload[..NonEspMarkerLength].IndexOfAnyExcept((byte)0) >= 0)
        {
            return UdpDatagramKind.Esp;
        }

        ikeOffset = NonEspMarkerLength;
        return payload.Length - NonEspMarkerLength >= IkeHeader.Size ? UdpDatagramKind.Ike : UdpDatagramKind.Invalid;
    }
}
