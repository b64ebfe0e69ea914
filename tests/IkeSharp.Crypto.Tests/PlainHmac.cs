using System.Security.Cryptography;

namespace IkeSharp.Crypto.Tests;

/// <summary>
/// HMAC and prf+ written out from RFC 2104 and RFC 7296 §2.13 with .NET's HMAC directly, as an
/// independent reference for the library's PRF, key derivation and AUTH code.
/// </summary>
internal static class PlainHmac
{
    public static byte[] Compute(HashAlgorithmName hash, byte[] key, params byte[][] data)
    {
        using var hmac = IncrementalHash.CreateHMAC(hash, key);
        foreach (var part in data)
        {
            hmac.AppendData(part);
        }

        return hmac.GetHashAndReset();
    }

    // T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), concatenated and cut to length.
    public static byte[] PrfPlus(HashAlgorithmName hash, byte[] key, byte[] seed, int length)
    {
        var result = new List<byte>();
        byte[] previous = [];
        for (byte n = 1; result.Count < length; n++)
        {
            previous = Compute(hash, key, previous, seed, [n]);
            result.AddRange(previous);
        }

        return result.Take(length).ToArray();
    }
}
