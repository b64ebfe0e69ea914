using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>
/// Shared-key AUTH (RFC 7296 §2.15): AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), signed octets).
/// The same computation keys EAP authentication with the MSK as the shared secret (§2.16).
/// </summary>
public static class PskAuthentication
{
    // §2.15: the 17 ASCII octets of "Key Pad for IKEv2", without a terminating NUL.
    private static ReadOnlySpan<byte> KeyPad => "Key Pad for IKEv2"u8;

    /// <summary>Writes the AUTH data; <paramref name="auth"/> must be exactly the PRF's output size.</summary>
    public static void Compute(Prf prf, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> octets, Span<byte> auth)
    {
        ArgumentNullException.ThrowIfNull(prf);
        Span<byte> paddedKey = stackalloc byte[Prf.MaxOutputSize];
        paddedKey = paddedKey[..prf.OutputSize];
        prf.Compute(sharedSecret, KeyPad, paddedKey);
        prf.Compute(paddedKey, octets, auth);
        CryptographicOperations.ZeroMemory(paddedKey);
    }

    /// <summary>Checks the peer's AUTH data in constant time.</summary>
    public static bool Verify(Prf prf, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> octets, ReadOnlySpan<byte> receivedAuth)
    {
        ArgumentNullException.ThrowIfNull(prf);
        if (receivedAuth.Length != prf.OutputSize)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[Prf.MaxOutputSize];
        expected = expected[..prf.OutputSize];
        Compute(prf, sharedSecret, octets, expected);
        return CryptographicOperations.FixedTimeEquals(expected, receivedAuth);
    }
}
