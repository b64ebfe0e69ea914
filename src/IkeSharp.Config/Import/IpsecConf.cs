using System.Text;

namespace IkeSharp.Config.Import;

/// <summary>One <c>key=value</c> line of ipsec.conf and where it stands; a null value is <c>key=</c>, which clears an inherited value.</summary>
internal sealed record IpsecSetting(string Key, string? Value, string File, int Line)
{
    public string Location => $"{File}:{Line}";
}

/// <summary>A <c>conn NAME</c>, <c>ca NAME</c> or <c>config setup</c> section: its own settings, last one of a key wins.</summary>
internal sealed class IpsecSection(string kind, string name, string file, int line)
{
    public string Kind { get; } = kind;

    public string Name { get; } = name;

    public string File { get; } = file;

    public int Line { get; } = line;

    public Dictionary<string, IpsecSetting> Settings { get; } = [];

    /// <summary>The <c>also=</c> lines in file order.</summary>
    public List<IpsecSetting> Also { get; } = [];
}

/// <summary>
/// The ipsec.conf syntax that strongSwan's starter, Openswan and Libreswan share: sections start at
/// the left margin (<c>config setup</c>, <c>conn NAME</c>, <c>ca NAME</c>), their settings are
/// indented <c>key=value</c> lines; <c>#</c> starts a comment outside double quotes (as
/// strongSwan's lexer has it, also right after a value: <c>esp=aes192-sha256#</c>), values may be
/// double-quoted, and <c>include PATTERN</c> reads more files (relative to the including one,
/// <c>*</c> and <c>?</c> in the file name). A section named twice is one section.
/// </summary>
internal sealed class IpsecConf
{
    private const int MaxIncludeDepth = 10;

    private IpsecConf()
    {
    }

    public IpsecSection Setup { get; private set; } = new("config", "setup", "", 0);

    /// <summary>Conns in the order they first appear (including <c>%default</c>).</summary>
    public List<IpsecSection> Conns { get; } = [];

    public List<IpsecSection> Cas { get; } = [];

    /// <summary>Includes that matched nothing, settings outside any section, and other things read but not used.</summary>
    public List<string> Notes { get; } = [];

    /// <exception cref="ConfigException">A line that is not ipsec.conf syntax, named by file and line.</exception>
    public static IpsecConf Parse(string text, string file)
    {
        var conf = new IpsecConf { Setup = new IpsecSection("config", "setup", file, 0) };
        conf.ParseFile(text, file, 0);
        return conf;
    }

    /// <summary>
    /// The settings a conn ends up with, as strongSwan's starter resolves them: the conn's own, then
    /// those of its <c>also=</c> sections (the last <c>also=</c> first, each followed by what it
    /// inherits), then <c>conn %default</c>.
    /// </summary>
    /// <exception cref="ConfigException">An <c>also=</c> names no conn, or conns include each other.</exception>
    public Dictionary<string, IpsecSetting> Resolve(IpsecSection conn)
    {
        var result = new Dictionary<string, IpsecSetting>();
        foreach (var section in Lineage(conn, []))
        {
            foreach (var (key, setting) in section.Settings)
            {
                result.TryAdd(key, setting);
            }
        }

        // "key=" clears what a parent set: the key stays in the table until here so parents cannot refill it.
        foreach (var cleared in result.Where(s => s.Value.Value is null).Select(s => s.Key).ToList())
        {
            result.Remove(cleared);
        }

        return result;
    }

    private List<IpsecSection> Lineage(IpsecSection conn, List<IpsecSection> stack)
    {
        stack.Add(conn);
        var parents = new List<IpsecSection>();
        foreach (var also in Enumerable.Reverse(conn.Also))
        {
            var parent = Conns.FirstOrDefault(c => c.Name == also.Value)
                ?? throw new ConfigException(also.File, also.Line, "also", $"conn '{also.Value}' is not defined", "define 'conn " + also.Value + "' or remove this also=");
            if (stack.Contains(parent))
            {
                throw new ConfigException(also.File, also.Line, "also", $"conn '{also.Value}' includes '{conn.Name}' again (a loop)", "remove one of the also= lines that form the loop");
            }

            parents.AddRange(Lineage(parent, stack));
        }

        stack.Remove(conn);
        if (parents.Count == 0 && conn.Name != "%default" && Conns.FirstOrDefault(c => c.Name == "%default") is { } defaults)
        {
            parents.Add(defaults);
        }

        // A section inherited along several paths counts where it stands last (starter's linearisation).
        var lineage = new List<IpsecSection> { conn };
        lineage.AddRange(parents.Where((p, i) => parents.LastIndexOf(p) == i));
        return lineage;
    }

    private void ParseFile(string text, string file, int depth)
    {
        IpsecSection? current = null;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var raw = lines[i].TrimEnd('\r');
            var tokens = Tokenize(raw, file, lineNumber);
            if (tokens.Count == 0)
            {
                continue;
            }

            var indented = raw.Length > 0 && char.IsWhiteSpace(raw[0]);
            if (!indented)
            {
                current = ParseTopLevel(tokens, raw, file, lineNumber, depth);
                continue;
            }

            var setting = ParseSetting(raw, tokens, file, lineNumber);
            if (current is null)
            {
                Notes.Add($"{file}:{lineNumber}: {setting.Key}= outside any section is ignored (as strongSwan's starter does)");
            }
            else if (setting.Key == "also" && current.Kind == "conn")
            {
                // also=%default is what every conn does anyway.
                if (setting.Value is not (null or "%default"))
                {
                    current.Also.Add(setting);
                }
            }
            else
            {
                current.Settings[setting.Key] = setting;
            }
        }
    }

    private IpsecSection? ParseTopLevel(List<string> tokens, string raw, string file, int line, int depth)
    {
        switch (tokens[0])
        {
            case "config" when tokens is [_, "setup"]:
                return Setup;
            case "conn" or "ca" when tokens.Count == 2:
                var list = tokens[0] == "conn" ? Conns : Cas;
                var section = list.FirstOrDefault(s => s.Name == tokens[1]);
                if (section is null)
                {
                    section = new IpsecSection(tokens[0], tokens[1], file, line);
                    list.Add(section);
                }

                return section;
            case "include" when tokens.Count == 2:
                Include(tokens[1], file, line, depth);
                return null;
            case "version":
                return null; // Openswan's "version 2" header
            default:
                throw new ConfigException(file, line, null, $"cannot read '{raw.Trim()}'",
                    "start sections at the left margin with 'config setup', 'conn NAME' or 'ca NAME', and indent their key=value lines");
        }
    }

    private static IpsecSetting ParseSetting(string raw, List<string> tokens, string file, int line)
    {
        var equals = raw.IndexOf('=', StringComparison.Ordinal);
        var key = equals > 0 ? raw[..equals].Trim() : "";
        if (key.Length == 0 || key.Any(char.IsWhiteSpace) || key.Contains('"', StringComparison.Ordinal))
        {
            throw new ConfigException(file, line, tokens[0], $"cannot read '{raw.Trim()}'", "write one key=value per indented line");
        }

        // The value's tokens, joined by single spaces as starter does; quoted ones keep their spaces.
        var value = string.Join(' ', Tokenize(raw[(equals + 1)..], file, line));
        return new IpsecSetting(key, value.Length == 0 ? null : value, file, line);
    }

    private void Include(string pattern, string file, int line, int depth)
    {
        foreach (var match in IncludedFiles(pattern, file, line, depth, Notes))
        {
            ParseFile(File.ReadAllText(match), match, depth + 1);
        }
    }

    /// <summary>The files an <c>include PATTERN</c> line names, relative to the including file, in name order.</summary>
    internal static List<string> IncludedFiles(string pattern, string file, int line, int depth, List<string> notes)
    {
        if (depth >= MaxIncludeDepth)
        {
            throw new ConfigException(file, line, "include", $"includes nest deeper than {MaxIncludeDepth} levels", "check for files that include each other");
        }

        var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file)) ?? "/", pattern);
        var directory = Path.GetDirectoryName(full) ?? "/";
        var matches = Directory.Exists(directory) ? Directory.GetFiles(directory, Path.GetFileName(full)).Order(StringComparer.Ordinal).ToList() : [];
        if (matches.Count == 0)
        {
            notes.Add($"{file}:{line}: include {pattern} matched no file");
        }

        return matches;
    }

    /// <summary>Splits a line into words: whitespace separates, double quotes group (with \" escapes), # outside quotes ends the line.</summary>
    internal static List<string> Tokenize(string line, string file, int lineNumber)
    {
        var tokens = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"')
            {
                var end = i + 1;
                for (; end < line.Length && line[end] != '"'; end++)
                {
                    if (line[end] == '\\' && end + 1 < line.Length)
                    {
                        end++;
                    }

                    word.Append(line[end]);
                }

                if (end >= line.Length)
                {
                    throw new ConfigException(file, lineNumber, null, "unterminated double quote", "close the quoted value with '\"'");
                }

                inWord = true;
                i = end;
            }
            else if (c == '#' && !(word.ToString() == "@" && inWord))
            {
                break; // "@#0a0b" is a key ID; any other # starts a comment
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    tokens.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            tokens.Add(word.ToString());
        }

        return tokens;
    }
}
