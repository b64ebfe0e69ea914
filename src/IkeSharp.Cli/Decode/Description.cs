namespace IkeSharp.Cli.Decode;

/// <summary>
/// A format-neutral description of a decoded message: built once by <see cref="MessageDescriber"/>,
/// rendered as indented text or as JSON, so both outputs always show the same fields.
/// </summary>
internal abstract record Description;

/// <summary>A leaf value: a string, an integer or a boolean.</summary>
internal sealed record Scalar(object Value) : Description;

/// <summary>Named fields in order (a JSON object).</summary>
internal sealed record Group : Description
{
    public List<KeyValuePair<string, Description>> Fields { get; } = [];

    public Group Add(string name, object? value)
    {
        if (value is not null)
        {
            Fields.Add(new(name, value as Description ?? new Scalar(value)));
        }

        return this;
    }
}

/// <summary>An ordered list (a JSON array).</summary>
internal sealed record Items(List<Description> Elements) : Description;
