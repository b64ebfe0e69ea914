namespace IkeSharp.Crypto;

/// <summary>
/// The octets an AUTH payload signs or MACs (RFC 7296 §2.15): the sender's own IKE_SA_INIT message
/// (RealMessage), then the peer's Nonce Data, then prf(SK_p, RestOfIDPayload), where SK_p is SK_pi for
/// the initiator and SK_pr for the responder.
/// </summary>
public static class AuthenticationOctets
{
    // RestOfIDPayload starts at the ID Type octet, which three RESERVED octets follow (RFC 7296 §3.5).
    private const int IdHeaderLength = 4;

    /// <summary>Octets <see cref="Build(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Prf, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/> writes.</summary>
    public static int GetLength(int realMessageLength, int peerNonceLength, Prf prf)
    {
        ArgumentNullException.ThrowIfNull(prf);
        return realMessageLength + peerNonceLength + prf.OutputSize;
    }

    /// <summary>Writes the signed octets to <paramref name="destination"/>, which must be exactly <see cref="GetLength"/> octets.</summary>
    /// <param name="idPayloadBody">The ID payload without its generic header: ID Type, RESERVED, Identification Data.</param>
    public static void Build(
        ReadOnlySpan<byte> realMessage,
        ReadOnlySpan<byte> peerNonce,
        Prf prf,
        ReadOnlySpan<byte> skP,
        ReadOnlySpan<byte> idPayloadBody,
        Span<byte> destination)
    {
        int length = GetLength(realMessage.Length, peerNonce.Length, prf);
        if (destination.Length != length)
        {
            throw new ArgumentException($"The signed octets are {length} octets; the destination has {destination.Length}.", nameof(destination));
        }

        if (idPayloadBody.Length < IdHeaderLength)
        {
            throw new ArgumentException(
                $"An ID payload body holds at least the ID Type and RESERVED octets ({IdHeaderLength}); got {idPayloadBody.Length}.", nameof(idPayloadBody));
        }

        realMessage.CopyTo(destination);
        peerNonce.CopyTo(destination[realMessage.Length..]);
        prf.Compute(skP, idPayloadBody, destination[(realMessage.Length + peerNonce.Length)..]);
    }

    /// <summary>Returns the signed octets in a new array.</summary>
    /// <param name="idPayloadBody">The ID payload without its generic header: ID Type, RESERVED, Identification Data.</param>
    public static byte[] Build(
        ReadOnlySpan<byte> realMessage, ReadOnlySpan<byte> peerNonce, Prf prf, ReadOnlySpan<byte> skP, ReadOnlySpan<byte> idPayloadBody)
    {
        var octets = new byte[GetLength(realMessage.Length, peerNonce.Length, prf)];
        Build(realMessage, peerNonce, prf, skP, idPayloadBody, octets);
        return octets;
    }
}
