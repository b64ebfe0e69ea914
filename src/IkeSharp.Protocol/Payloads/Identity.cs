using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace IkeSharp.Protocol;

/// <summary>
/// An IKE identity: ID type plus identification data (RFC 7296 §3.5). Displayed and parsed in
/// strongSwan's notation so operators can paste what they see in either tool's logs:
/// <c>192.0.2.1</c>, <c>2001:db8::1</c>, <c>gw.example.org</c> (FQDN, <c>@</c>-prefix optional),
/// <c>user@example.org</c>, <c>C=CH, O=Lab, CN=gw</c> (DN), <c>@#0102ab</c> (KEY_ID).
/// </summary>
public readonly record struct Identity(IdentificationType Type, ReadOnlyMemory<byte> Data)
{
    public static Identity FromAddress(IPAddress address) => new(
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IdentificationType.ID_IPV6_ADDR : IdentificationType.ID_IPV4_ADDR,
        address.GetAddressBytes());

    /// <summary>Parses strongSwan's identity notation (see the type summary).</summary>
    public static Identity Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        text = text.Trim();
        if (text.StartsWith("@#", StringComparison.Ordinal))
        {
            return new Identity(IdentificationType.ID_KEY_ID, Convert.FromHexString(text[2..].Replace(":", "")));
        }

        if (text.StartsWith('@'))
        {
            return new Identity(IdentificationType.ID_FQDN, Encoding.ASCII.GetBytes(text[1..]));
        }

        if (IPAddress.TryParse(text, out var address))
        {
            return FromAddress(address);
        }

        if (text.Contains('=', StringComparison.Ordinal))
        {
            var dn = new X500DistinguishedName(text.Replace(", ", ",", StringComparison.Ordinal).Replace(',', ';'), X500DistinguishedNameFlags.UseSemicolons);
            return new Identity(IdentificationType.ID_DER_ASN1_DN, dn.RawData);
        }

        return text.Contains('@', StringComparison.Ordinal)
            ? new Identity(IdentificationType.ID_RFC822_ADDR, Encoding.ASCII.GetBytes(text))
            : new Identity(IdentificationType.ID_FQDN, Encoding.ASCII.GetBytes(text));
    }

    /// <summary>True when both carry the same type and the same octets.</summary>
    /// <remarks>DNs compare by their text, since peers encode the same name with different string types.</remarks>
    public bool Matches(Identity other) => Type == other.Type
        && (Data.Span.SequenceEqual(other.Data.Span) || (Type == IdentificationType.ID_DER_ASN1_DN && ToString() == other.ToString()));

    public override string ToString()
    {
        var data = Data.Span;
        switch (Type)
        {
            case IdentificationType.ID_IPV4_ADDR when data.Length == 4:
            case IdentificationType.ID_IPV6_ADDR when data.Length == 16:
                return new IPAddress(data).ToString();
            case IdentificationType.ID_FQDN:
            case IdentificationType.ID_RFC822_ADDR:
                return Printable(data);
            case IdentificationType.ID_DER_ASN1_DN:
                try
                {
                    return new X500DistinguishedName(data.ToArray()).Decode(X500DistinguishedNameFlags.UseCommas | X500DistinguishedNameFlags.DoNotUsePlusSign);
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    return "(malformed DN) " + Convert.ToHexString(data);
                }

            case IdentificationType.ID_NULL:
                return "(null)";
            default:
                return "#" + Convert.ToHexString(data).ToLowerInvariant();
        }
    }

    /// <summary>Shows text identities as text, escaping anything that could forge log lines.</summary>
    private static string Printable(ReadOnlySpan<byte> data)
    {
        var builder = new StringBuilder(data.Length);
        foreach (var b in data)
        {
            builder.Append(b is >= 0x20 and < 0x7f ? (char)b : $"\\x{b:x2}");
        }

        return builder.ToString();
    }
}
