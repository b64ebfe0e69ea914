namespace IkeSharp.InteropTests;

/// <summary>The checkout the tests run from, for the scripts a user runs (demo.sh, docker/lab.sh).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var directory = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(directory, "IkeSharp.sln")))
        {
            directory = Path.GetDirectoryName(directory) ?? throw new InvalidOperationException($"IkeSharp.sln not found above {AppContext.BaseDirectory}");
        }

        return directory;
    }
}
