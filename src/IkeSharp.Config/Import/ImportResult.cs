namespace IkeSharp.Config.Import;

/// <summary>
/// A converted configuration: the native config text, the secrets file text, and one report line
/// for every option that could not be carried over and why.
/// </summary>
public sealed record ImportResult(string Config, string Secrets, IReadOnlyList<string> Report);
