namespace IkeSharp.Linux.Nat;

/// <summary>
/// The kernel settings a NAT-instance gateway needs (forwarding on, ICMP redirects off), checked at
/// startup and either set or reported with the exact command that fixes them.
/// </summary>
public static class SysctlPreflight
{
    public static readonly IReadOnlyDictionary<string, string> Required = new Dictionary<string, string>
    {
        ["net/ipv4/ip_forward"] = "1",
        ["net/ipv4/conf/all/send_redirects"] = "0",
        ["net/ipv4/conf/default/send_redirects"] = "0",
        ["net/ipv4/conf/all/accept_redirects"] = "0",
        ["net/ipv4/conf/default/accept_redirects"] = "0",
    };

    /// <summary>The settings that differ, as "key: is X, needs Y".</summary>
    public static IReadOnlyList<(string Key, string Current, string Needed)> Check()
        => [.. Required.Select(kv => (kv.Key, Current: Read(kv.Key), Needed: kv.Value)).Where(s => s.Current != s.Needed)];

    public static void Apply()
    {
        foreach (var (key, _, needed) in Check())
        {
            File.WriteAllText(Path.Combine("/proc/sys", key), needed);
        }
    }

    public static string FixCommand(IEnumerable<(string Key, string Current, string Needed)> wrong)
        => "sysctl -w " + string.Join(" ", wrong.Select(w => $"{w.Key.Replace('/', '.')}={w.Needed}"));

    private static string Read(string key)
    {
        var path = Path.Combine("/proc/sys", key);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : "(missing)";
    }
}
