using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace IkeSharp.Cli.Decode;

/// <summary>Renders a message description as one compact JSON object (JSON Lines output).</summary>
internal static class JsonRenderer
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Render(Group message)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Options))
        {
            Write(writer, message);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, Description value)
    {
        switch (value)
        {
            case Scalar { Value: string s }:
                writer.WriteStringValue(s);
                break;
            case Scalar { Value: bool b }:
                writer.WriteBooleanValue(b);
                break;
            case Scalar { Value: int i }:
                writer.WriteNumberValue(i);
                break;
            case Scalar { Value: long l }:
                writer.WriteNumberValue(l);
                break;
            case Scalar scalar:
                writer.WriteStringValue(scalar.Value.ToString());
                break;
            case Group group:
                writer.WriteStartObject();
                foreach (var (name, child) in group.Fields)
                {
                    writer.WritePropertyName(name);
                    Write(writer, child);
                }

                writer.WriteEndObject();
                break;
            case Items items:
                writer.WriteStartArray();
                foreach (var item in items.Elements)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
        }
    }
}
