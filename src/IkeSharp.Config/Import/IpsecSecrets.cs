using System.Text;
using IkeSharp.Protocol;

namespace IkeSharp.Config.Import;

/// <summary>
/// One ipsec.secrets entry: <c>SELECTOR... : TYPE VALUE...</c>. <see cref="Values"/> are the words
/// after the type with their quotes noted, <see cref="Block"/> the lines of an Openswan
/// <c>: RSA { ... }</c> key.
/// </summary>
internal sealed record IpsecSecret(IReadOnlyList<string> Selectors, string Type, IReadOnlyList<(string Text, bool Quoted)> Values, string File, int Line)
{
    public IReadOnlyList<string> Block { get; init; } = [];

    public string Location => $"{File}:{Line}";
}

/// <summary>
/// Reads ipsec.secrets as strongSwan and Openswan write it: one entry per line (Openswan continues an
/// entry on indented lines), selectors before a <c>:</c> (Openswan also takes <c>1.2.3.4: PSK</c>),
/// <c>#</c> comments, <c>include</c>. Errors name the line but never repeat it: it may hold a secret.
/// </summary>
internal static class IpsecSecrets
{
    /// <exception cref="ConfigException">An entry without the ':' separator or a secret.</exception>
    public static List<IpsecSecret> Parse(string text, string file, List<string> notes, int depth = 0)
    {
        var secrets = new List<IpsecSecret>();
        foreach (var (tokens, line) in Records(text, file))
        {
            if (tokens is [("include", false), var (pattern, _)])
            {
                foreach (var match in IpsecConf.IncludedFiles(pattern, file, line, depth, notes))
                {
                    secrets.AddRange(Parse(File.ReadAllText(match), match, notes, depth + 1));
                }

                continue;
            }

            var separator = tokens.FindIndex(t => t is (":", false));
            if (separator < 0 && tokens.FindIndex(t => !t.Quoted && t.Text.Length > 1 && t.Text.EndsWith(':')) is var glued and >= 0)
            {
                // Openswan's lexer splits "110.220.9.72:" from its ':' when no spaced ':' is present.
                tokens[glued] = (tokens[glued].Text[..^1], false);
                tokens.Insert(glued + 1, (":", false));
                separator = glued + 1;
            }

            if (separator < 0 || separator + 1 >= tokens.Count)
            {
                throw new ConfigException(file, line, null, separator < 0 ? "no ':' between the selectors and the secret" : "no secret type after ':'",
                    "write e.g. '192.0.2.1 198.51.100.7 : PSK \"secret\"' or ': RSA key.pem'");
            }

            var values = tokens.Skip(separator + 2).ToList();
            var block = new List<string>();
            if (values is [("{", false), ..])
            {
                block.AddRange(values.Skip(1).TakeWhile(v => v.Text != "}").Select(v => v.Text));
                values = [];
            }

            secrets.Add(new IpsecSecret([.. tokens.Take(separator).Select(t => t.Text)], tokens[separator + 1].Text.ToUpperInvariant(), values, file, line) { Block = block });
        }

        return secrets;
    }

    /// <summary>How well a selector names an identity: 2 exactly, 1 as <c>%any</c>, 0 not at all.</summary>
    public static int Match(string selector, Identity? identity)
    {
        if (selector is "%any" or "%any4" or "%any6" or "0.0.0.0" or "::")
        {
            return 1;
        }

        try
        {
            return identity is { } id && Identity.Parse(selector).Matches(id) ? 2 : 0;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return 0;
        }
    }

    /// <summary>
    /// The entry of <paramref name="type"/> that best fits our identity and the peer's, as strongSwan
    /// ranks them: each end scores 2 when a selector names it, 1 for <c>%any</c> or no selectors at all;
    /// one matching end is enough, the highest sum wins, the first of equals.
    /// </summary>
    public static IpsecSecret? Best(IEnumerable<IpsecSecret> secrets, Func<string, bool> type, Identity? local, Identity? remote)
    {
        IpsecSecret? best = null;
        var bestScore = 0;
        foreach (var secret in secrets.Where(s => type(s.Type)))
        {
            var (mine, theirs) = secret.Selectors.Count == 0 ? (1, 1)
                : (secret.Selectors.Max(s => Match(s, local)), secret.Selectors.Max(s => Match(s, remote)));
            if ((mine > 0 || theirs > 0) && mine + theirs > bestScore)
            {
                (best, bestScore) = (secret, mine + theirs);
            }
        }

        return best;
    }

    /// <summary>A PSK value as bytes: quoted text is taken as written; unquoted 0x is hex and 0s base64, as strongSwan and Openswan read it.</summary>
    public static byte[]? PskBytes(IpsecSecret secret)
    {
        if (secret.Values is not [var (text, quoted), ..])
        {
            return null;
        }

        try
        {
            return quoted ? Encoding.UTF8.GetBytes(text)
                : text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Convert.FromHexString(text[2..])
                : text.StartsWith("0s", StringComparison.Ordinal) ? Convert.FromBase64String(text[2..])
                : Encoding.UTF8.GetBytes(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Entries with their words and first line: an indented line continues an entry that still lacks its ':' or is inside '{ }'.</summary>
    private static List<(List<(string Text, bool Quoted)> Tokens, int Line)> Records(string text, string file)
    {
        var records = new List<(List<(string Text, bool Quoted)> Tokens, int Line)>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var raw = lines[i].TrimEnd('\r');
            var tokens = Words(raw, file, i + 1);
            if (tokens.Count == 0)
            {
                continue;
            }

            if (raw.Length > 0 && char.IsWhiteSpace(raw[0]) && records.Count > 0 && Open(records[^1].Tokens))
            {
                records[^1].Tokens.AddRange(tokens);
            }
            else
            {
                records.Add((tokens, i + 1));
            }
        }

        return records;
    }

    private static bool Open(List<(string Text, bool Quoted)> tokens)
        => !tokens.Any(t => t is (":", false) || (!t.Quoted && t.Text.EndsWith(':')))
            || (tokens.Any(t => t is ("{", false)) && !tokens.Any(t => t is ("}", false)));

    private static List<(string Text, bool Quoted)> Words(string line, string file, int lineNumber)
    {
        var words = new List<(string, bool)>();
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#')
            {
                break;
            }
            else if (c is '"' or '\'')
            {
                var end = line.IndexOf(c, i + 1);
                if (end < 0)
                {
                    throw new ConfigException(file, lineNumber, null, "unterminated quote", $"close the quoted secret with {c}");
                }

                words.Add((line[(i + 1)..end], true));
                i = end + 1;
            }
            else
            {
                var end = i;
                while (end < line.Length && !char.IsWhiteSpace(line[end]))
                {
                    end++;
                }

                words.Add((line[i..end], false));
                i = end;
            }
        }

        return words;
    }
}
