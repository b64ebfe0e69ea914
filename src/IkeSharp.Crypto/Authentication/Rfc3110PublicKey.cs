using System.Security.Cryptography;

namespace IkeSharp.Crypto;

/// <summary>Decoding of the RFC 3110 §2 RSA public key field in Openswan's "0s"/"0x" text form.</summary>
internal static class Rfc3110PublicKey
{
    private const string Source = "rsasigkey value";

    public static RSAParameters Decode(string value)
    {
        var data = DecodeText(value.Trim());

        // RFC 3110 §2: the exponent length is one octet, or, if that octet is zero, the next two octets.
        int offset = 1;
        int exponentLength = data.Length > 0 ? data[0] : 0;
        if (data.Length > 0 && exponentLength == 0)
        {
            offset = 3;
            exponentLength = data.Length >= 3 ? (data[1] << 8) | data[2] : 0;
        }

        if (exponentLength == 0 || data.Length <= offset + exponentLength)
        {
            throw new KeyLoadException($"{Source}: the RFC 3110 key is too short for its exponent length and a modulus ({data.Length} octets).");
        }

        var exponent = data.AsSpan(offset, exponentLength).TrimStart((byte)0);
        var modulus = data.AsSpan(offset + exponentLength).TrimStart((byte)0);
        if (exponent.IsEmpty || modulus.IsEmpty)
        {
            throw new KeyLoadException($"{Source}: the RFC 3110 key has a zero exponent or modulus.");
        }

        return new RSAParameters { Exponent = exponent.ToArray(), Modulus = modulus.ToArray() };
    }

    // Openswan's ttodata() prefixes: "0s" for base64 and "0x" for hex (which may use "_" as a separator).
    private static byte[] DecodeText(string text)
    {
        try
        {
            if (text.StartsWith("0s", StringComparison.Ordinal))
            {
                return Convert.FromBase64String(text[2..]);
            }

            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                return Convert.FromHexString(string.Concat(text[2..].Where(c => c != '_' && !char.IsWhiteSpace(c))));
            }
        }
        catch (FormatException e)
        {
            throw new KeyLoadException($"{Source}: the text after the 0s/0x prefix does not decode ({e.Message}).", e);
        }

        throw new KeyLoadException($"{Source}: expected an RFC 3110 key starting with 0s (base64) or 0x (hex), but found \"{Truncate(text)}\".");
    }

    private static string Truncate(string text) => text.Length <= 16 ? text : text[..16] + "...";
}
