using System.Text;

namespace IkeSharp.Config.Import;

/// <summary>What the importers share when writing IkeSharp's native config and secrets text.</summary>
internal static class NativeText
{
    /// <summary>The header line of an imported config.</summary>
    public static StringBuilder Config(string file)
        => new StringBuilder("# Imported from ").Append(file).AppendLine(" by 'ikesharp config import'.").AppendLine("tunnels {");

    /// <summary>A value as a native <c>key = value</c> line needs it: double-quoted when it holds a space, '=' or '#'.</summary>
    public static string Quote(string value) => value.Contains(' ', StringComparison.Ordinal) || value.Contains('=', StringComparison.Ordinal) || value.Contains('#', StringComparison.Ordinal)
        ? $"\"{value}\""
        : value;

    /// <summary>
    /// A pre-shared key as the native secrets file reads it back to the same bytes: as text where
    /// that is unambiguous, else as <c>0x</c> hex (text that itself starts with 0x or 0s would be
    /// decoded, and a double quote or control character cannot be written inside quotes).
    /// </summary>
    public static string Secret(byte[] psk)
    {
        string? text = null;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(psk);
        }
        catch (DecoderFallbackException)
        {
        }

        var plain = text is { Length: > 0 } && !text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && !text.StartsWith("0s", StringComparison.Ordinal)
            && !text.Any(c => c == '"' || char.IsControl(c)) && text.Trim() == text;
        return plain ? $"\"{text}\"" : "0x" + Convert.ToHexString(psk).ToLowerInvariant();
    }

    /// <summary>One tunnel's block in the secrets file.</summary>
    public static void AppendPsk(StringBuilder secrets, string tunnel, string value)
        => secrets.AppendLine($"    {tunnel} {{\n        psk = {value}\n    }}");
}
