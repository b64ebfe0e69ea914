using System.Text;

namespace IkeSharp.Cli.Decode;

/// <summary>
/// Renders a message description for a terminal: a headline per message, then fields indented
/// by nesting, lists as "- " items; the SA proposal/transform lists read like strongSwan's.
/// </summary>
internal static class TextRenderer
{
    private static readonly HashSet<string> Headline = ["frame", "time", "source", "destination", "summary"];

    public static string Render(Group message)
    {
        var text = new StringBuilder();
        var fields = message.Fields.ToDictionary(f => f.Key, f => f.Value);
        string Field(string name) => fields.TryGetValue(name, out var d) && d is Scalar s ? s.Value.ToString()! : "";

        var where = fields.ContainsKey("source") ? $"{Field("source")} -> {Field("destination")}  " : "";
        var frame = fields.ContainsKey("frame") ? $"#{Field("frame")} {Field("time")}  " : "";
        text.Append(frame).Append(where).AppendLine(fields.ContainsKey("summary") ? Field("summary") : "(undecodable IKE message)");
        foreach (var (name, value) in message.Fields.Where(f => !Headline.Contains(f.Key)))
        {
            Append(text, name, value, 1);
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, string name, Description value, int depth)
    {
        var indent = new string(' ', depth * 2);
        switch (value)
        {
            case Scalar scalar:
                text.Append(indent).Append(name).Append(": ").AppendLine(Format(scalar.Value));
                break;
            case Group group:
                text.Append(indent).Append(name).AppendLine(":");
                foreach (var (childName, child) in group.Fields)
                {
                    Append(text, childName, child, depth + 1);
                }

                break;
            case Items items:
                text.Append(indent).Append(name).AppendLine(items.Elements.Count == 0 ? ": (none)" : ":");
                foreach (var item in items.Elements)
                {
                    AppendItem(text, item, depth + 1);
                }

                break;
        }
    }

    /// <summary>An item's first field goes on the "- " line, the rest under it.</summary>
    private static void AppendItem(StringBuilder text, Description item, int depth)
    {
        var indent = new string(' ', depth * 2);
        if (item is not Group group || group.Fields.Count == 0)
        {
            text.Append(indent).Append("- ").AppendLine(item is Scalar s ? Format(s.Value) : "");
            return;
        }

        if (group.Fields.Count <= 4 && group.Fields.All(f => f.Value is Scalar))
        {
            // Small flat items (transforms, selectors, attributes) read best on one line.
            text.Append(indent).Append("- ").AppendLine(string.Join("  ", group.Fields.Select(f => $"{f.Key}={Format(((Scalar)f.Value).Value)}")));
            return;
        }

        var (firstName, first) = group.Fields[0];
        if (first is Scalar firstValue)
        {
            text.Append(indent).Append("- ").Append(firstName).Append(": ").AppendLine(Format(firstValue.Value));
        }
        else
        {
            text.Append(indent).AppendLine("-");
            Append(text, firstName, first, depth + 1);
        }

        foreach (var (name, value) in group.Fields.Skip(1))
        {
            Append(text, name, value, depth + 1);
        }
    }

    private static string Format(object value) => value switch
    {
        bool b => b ? "yes" : "no",
        _ => value.ToString() ?? "",
    };
}
