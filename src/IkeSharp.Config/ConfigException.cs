namespace IkeSharp.Config;

/// <summary>
/// Invalid configuration, located: the file, the line, the key, what is wrong and how to fix it.
/// The daemon refuses to start with exactly this message.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string file, int line, string? key, string problem, string? fix = null)
        : base(Format(file, line, key, problem, fix))
    {
        File = file;
        Line = line;
        Key = key;
        Problem = problem;
        Fix = fix;
    }

    public ConfigException()
        : this("(unknown)", 0, null, "invalid configuration")
    {
    }

    public ConfigException(string message)
        : this("(unknown)", 0, null, message)
    {
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "(unknown)";
        Problem = message;
    }

    public string File { get; }

    public int Line { get; }

    public string? Key { get; }

    public string Problem { get; }

    public string? Fix { get; }

    private static string Format(string file, int line, string? key, string problem, string? fix)
        => $"{file}:{line}: {(key is null ? "" : $"{key}: ")}{problem}{(fix is null ? "" : $" (fix: {fix})")}";
}
