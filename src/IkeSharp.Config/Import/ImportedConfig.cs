using System.Text.RegularExpressions;

namespace IkeSharp.Config.Import;

/// <summary>
/// A config in another daemon's format that ikesharpd runs from directly, converted in memory:
/// strongSwan's swanctl.conf (secrets inline), or an ipsec.conf with the ipsec.secrets beside it
/// (or named by <c>--secrets</c>).
/// </summary>
/// <param name="Source">The file converted.</param>
/// <param name="SecretsFile">Where the secrets came from, or the native secrets file <c>--secrets</c> named for a swanctl.conf.</param>
/// <param name="SecretsImported">False when <see cref="SecretsFile"/> is a native secrets file to load instead of the imported secrets.</param>
internal sealed partial record ImportedConfig(ImportResult Result, string Source, string SecretsFile, bool SecretsImported)
{
    /// <summary>The import of <paramref name="file"/> if it is a swanctl.conf or an ipsec.conf, else null (a native config).</summary>
    /// <exception cref="ConfigException">The file or its secrets cannot be read as what they are.</exception>
    public static ImportedConfig? Detect(string file, string text, string? secretsOverride)
    {
        if (Path.GetFileName(file) == "ipsec.conf" || IpsecConfSection().IsMatch(text))
        {
            var secretsFile = secretsOverride ?? Path.Combine(Path.GetDirectoryName(file)!, "ipsec.secrets");
            string? secrets = null;
            if (File.Exists(secretsFile))
            {
                if ((File.GetUnixFileMode(secretsFile) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
                {
                    throw new ConfigException(secretsFile, 0, null, "secrets file is readable or writable by group or others", $"chmod 600 {secretsFile}");
                }

                secrets = File.ReadAllText(secretsFile);
            }

            return new ImportedConfig(IpsecConfImporter.Import(text, file, secrets, secretsFile), file, secretsFile, true);
        }

        // A swanctl.conf carries its secrets inline: then errors must not quote lines.
        var root = ConfigSyntax.Parse(text, file, echoContent: !text.Contains("secrets", StringComparison.Ordinal));
        return root.Section("connections") is not null && root.Section("tunnels") is null
            ? new ImportedConfig(SwanctlImporter.Import(text, file), file, secretsOverride ?? file, secretsOverride is null)
            : null;
    }

    /// <summary>
    /// An error in the converted config: its line numbers are the generated text's, so the message
    /// names the file without one and adds what the import reported about that tunnel.
    /// </summary>
    public ConfigException Explain(ConfigException e)
    {
        var tunnel = e.Key?.Split('.')[0];
        var related = tunnel is null ? [] : Result.Report.Where(r => r.Contains($": {tunnel}:", StringComparison.Ordinal) || r.Contains($": {tunnel}.", StringComparison.Ordinal)).ToList();
        return new ConfigException(e.File == SecretsFile && SecretsImported ? SecretsFile : Source, 0, e.Key,
            $"{e.Problem} (in the IkeSharp config imported from it; 'ikesharp config import {ImportOption} {Source}' shows that config{(related.Count > 0 ? $"; the import reported: {string.Join("; ", related)}" : "")})",
            e.Fix);
    }

    /// <summary>The option of 'ikesharp config import' that reads <see cref="Source"/>: only an ipsec.conf has its secrets in another file.</summary>
    private string ImportOption => SecretsImported && SecretsFile != Source ? "--ipsec" : "--swanctl";

    /// <summary>ipsec.conf's section lines at the left margin, which IkeSharp's own syntax never has.</summary>
    [GeneratedRegex(@"^(conn\s+\S+|config\s+setup|ca\s+\S+)\s*(#.*)?\r?$", RegexOptions.Multiline)]
    private static partial Regex IpsecConfSection();
}
