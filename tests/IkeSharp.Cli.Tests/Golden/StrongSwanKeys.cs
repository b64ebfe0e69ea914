using System.Text.Json;

namespace IkeSharp.Cli.Tests.Golden;

/// <summary>
/// The secrets strongSwan logged for one capture (interop-tests/captures/keys/CASE.json, extracted
/// from its level-4 logs by extract_keys.py). Values are hex as strongSwan dumped them.
/// </summary>
internal sealed class StrongSwanKeys
{
    private readonly JsonElement _root;

    private StrongSwanKeys(JsonElement root) => _root = root;

    public static StrongSwanKeys Load(string @case)
    {
        var path = Path.Combine(StrongSwanCaptures.Directory, "keys", @case + ".json");
        return new StrongSwanKeys(JsonDocument.Parse(File.ReadAllBytes(path)).RootElement);
    }

    public IEnumerable<JsonElement> IkeSas => _root.GetProperty("ike_sas").EnumerateArray();

    public static byte[] Bytes(JsonElement element, string name) => Convert.FromHexString(element.GetProperty(name).GetString()!);

    public static ulong Spi(JsonElement element, string name) => Convert.ToUInt64(element.GetProperty(name).GetString(), 16);

    public static string Text(JsonElement element, string name) => element.GetProperty(name).GetString()!;

    public static bool Has(JsonElement element, string name) => element.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;
}
