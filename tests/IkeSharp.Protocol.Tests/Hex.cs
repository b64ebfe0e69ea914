namespace IkeSharp.Protocol.Tests;

internal static class Hex
{
    /// <summary>Hex with spaces, newlines and // comments allowed, so golden bytes can be annotated.</summary>
    public static byte[] Parse(string text)
    {
        var digits = string.Concat(text.Split('\n').Select(line =>
        {
            var comment = line.IndexOf("//", StringComparison.Ordinal);
            return comment >= 0 ? line[..comment] : line;
        })).Replace(" ", "").Replace("\r", "").Replace("\t", "");
        return Convert.FromHexString(digits);
    }
}
