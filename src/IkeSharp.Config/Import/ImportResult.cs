namespace IkeSharp.Config.Import;

/// <summary>
/// A converted configuration: the native config text, the secrets file text, and one report line
/// for every option that could not be carried over and why.
/// </summary>
public sealed record ImportResult(string Config, string Secrets, IReadOnlyList<string> Report)
{
    /// <summary>Key files the config names, by file name beside it (PEM private keys converted from Openswan's ipsec.secrets; mode 0600).</summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();
}
