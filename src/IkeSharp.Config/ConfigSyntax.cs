namespace IkeSharp.Config;

/// <summary>One <c>key = value</c> line.</summary>
public sealed record ConfigEntry(string Key, string Value, int Line);

/// <summary>A <c>name { ... }</c> block with its entries and nested blocks, in file order.</summary>
public sealed class ConfigSection(string name, int line, string file)
{
    public string Name { get; } = name;

    public int Line { get; } = line;

    public string File { get; } = file;

    public List<ConfigEntry> Entries { get; } = [];

    public List<ConfigSection> Sections { get; } = [];

    public ConfigEntry? Entry(string key) => Entries.LastOrDefault(e => e.Key == key);

    public ConfigSection? Section(string name) => Sections.FirstOrDefault(s => s.Name == name);
}

/// <summary>
/// The syntax of IkeSharp's config and secrets files — the one strongSwan's swanctl.conf and
/// strongswan.conf use, so a strongSwan operator reads it at sight:
/// <code>
/// tunnels {
///     customer {
///         remote_addrs = 198.51.100.7   # comment
///         children {
///             net { local_ts = 10.1.0.0/24 }
///         }
///     }
/// }
/// </code>
/// One <c>key = value</c> per line; values run to the end of the line (or a <c>#</c>) and may be
/// double-quoted to keep spaces and <c>#</c>; <c>}</c> closes a block.
/// </summary>
public static partial class ConfigSyntax
{
    /// <param name="echoContent">False for secrets files: errors then name the line but never repeat its text.</param>
    public static ConfigSection Parse(string text, string file, bool echoContent = true)
    {
        var root = new ConfigSection("", 0, file);
        var stack = new Stack<ConfigSection>();
        stack.Push(root);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var line = StripComment(lines[i], file, lineNumber).Trim();
            while (line.Length > 0)
            {
                if (line.StartsWith('}'))
                {
                    if (stack.Count == 1)
                    {
                        throw new ConfigException(file, lineNumber, null, "'}' without a matching '{'", "remove it or open the block it closes");
                    }

                    stack.Pop();
                    line = line[1..].Trim();
                    continue;
                }

                var brace = line.IndexOf('{');
                var equals = line.IndexOf('=');
                if (brace >= 0 && (equals < 0 || brace < equals))
                {
                    var name = line[..brace].Trim();
                    if (name.Length == 0 || name.Any(char.IsWhiteSpace))
                    {
                        throw new ConfigException(file, lineNumber, name, "a block needs a single-word name before '{'", "write e.g. 'children {'");
                    }

                    var section = new ConfigSection(name, lineNumber, file);
                    stack.Peek().Sections.Add(section);
                    stack.Push(section);
                    line = line[(brace + 1)..].Trim();
                    continue;
                }

                if (equals <= 0)
                {
                    throw new ConfigException(file, lineNumber, null, echoContent ? $"cannot read '{line}'" : "cannot read this line", "write 'key = value', 'name {' or '}'");
                }

                var key = line[..equals].Trim();
                var value = line[(equals + 1)..].Trim();
                var close = value.IndexOf('}');
                if (close >= 0 && !value.StartsWith('"'))
                {
                    // "net { local_ts = 10.1.0.0/24 }" on one line
                    line = value[close..];
                    value = value[..close].Trim();
                }
                else
                {
                    line = "";
                }

                if (key.Any(char.IsWhiteSpace) || (!value.StartsWith('"') && SecondAssignment().IsMatch(value)))
                {
                    throw new ConfigException(file, lineNumber, key, "keys are single words; several 'key = value' pairs must go on separate lines", "put each setting on its own line, and double-quote values that contain '=' such as distinguished names");
                }

                stack.Peek().Entries.Add(new ConfigEntry(key, Unquote(value), lineNumber));
            }
        }

        if (stack.Count > 1)
        {
            var open = stack.Peek();
            throw new ConfigException(file, open.Line, open.Name, $"block '{open.Name}' is never closed", "add a '}' at its end");
        }

        return root;
    }

    private static string StripComment(string line, string file, int lineNumber)
    {
        var inQuotes = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (line[i] == '#' && !inQuotes)
            {
                return line[..i];
            }
        }

        if (inQuotes)
        {
            throw new ConfigException(file, lineNumber, null, "unterminated double quote", "close the quoted value with '\"'");
        }

        return line;
    }

    /// <summary>"a = 1 b = 2" on one line: a second key after whitespace (base64 '=' padding has none before it).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"\s[A-Za-z_][A-Za-z0-9_]*\s*=")]
    private static partial System.Text.RegularExpressions.Regex SecondAssignment();

    private static string Unquote(string value)
        => value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
}
