using System.Security.Cryptography;

namespace IkeSharp.Config.Import;

/// <summary>
/// Openswan's private key as <c>ipsec newhostkey</c> writes it into ipsec.secrets,
/// <c>: RSA { Modulus: 0x... PublicExponent: 0x03 PrivateExponent: 0x... Prime1: ... }</c>
/// (values in 0x hex or 0s base64), turned into the PKCS#8 PEM file IkeSharp reads.
/// </summary>
internal static class OpenswanRsaKey
{
    /// <summary>The PEM text, or null when a field is missing or the numbers do not form an RSA key.</summary>
    public static string? ToPem(IReadOnlyList<string> block)
    {
        var fields = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < block.Count; i++)
        {
            if (block[i].EndsWith(':') && Number(block[i + 1]) is { } value)
            {
                fields[block[i][..^1]] = value;
            }
        }

        byte[] Field(string name, int length) => fields.TryGetValue(name, out var v) ? Pad(v, length) : throw new KeyNotFoundException(name);
        try
        {
            var modulus = Strip(fields["Modulus"]);
            var half = (modulus.Length + 1) / 2;
            using var rsa = RSA.Create();
            rsa.ImportParameters(new RSAParameters
            {
                Modulus = modulus,
                Exponent = Strip(fields["PublicExponent"]),
                D = Field("PrivateExponent", modulus.Length),
                P = Field("Prime1", half),
                Q = Field("Prime2", half),
                DP = Field("Exponent1", half),
                DQ = Field("Exponent2", half),
                InverseQ = Field("Coefficient", half),
            });
            return rsa.ExportPkcs8PrivateKeyPem() + "\n";
        }
        catch (Exception e) when (e is KeyNotFoundException or CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    private static byte[]? Number(string text)
    {
        try
        {
            return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Convert.FromHexString(text[2..])
                : text.StartsWith("0s", StringComparison.Ordinal) ? Convert.FromBase64String(text[2..])
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static byte[] Strip(byte[] value) => value.SkipWhile(b => b == 0).ToArray() is { Length: > 0 } stripped ? stripped : [0];

    /// <summary>Big-endian numbers at the fixed length .NET's RSAParameters require.</summary>
    private static byte[] Pad(byte[] value, int length)
    {
        var stripped = Strip(value);
        if (stripped.Length > length)
        {
            throw new ArgumentException("field longer than the key allows");
        }

        var padded = new byte[length];
        stripped.CopyTo(padded, length - stripped.Length);
        return padded;
    }
}
