namespace IkeSharp.Linux.Nat;

/// <summary>
/// The kernel settings a NAT-instance gateway needs, checked at startup and either set or reported
/// with the exact command that fixes them: forwarding on, ICMP redirects off (the gateway must not
/// tell hosts to bypass it), and reverse-path filtering not strict, since decrypted packets from
/// the remote subnets arrive on an interface the main table does not route them back through
/// (the kernel applies the larger of <c>all</c> and the interface's value, so <c>all</c> = 2 suffices).
/// </summary>
public static class SysctlPreflight
{
    /// <summary>Each setting with the values that are fine and the value to set otherwise.</summary>
    public static readonly IReadOnlyList<(string Key, string[] Accepted, string Fix)> Required =
    [
        ("net/ipv4/ip_forward", ["1"], "1"),
        ("net/ipv4/conf/all/send_redirects", ["0"], "0"),
        ("net/ipv4/conf/default/send_redirects", ["0"], "0"),
        ("net/ipv4/conf/all/accept_redirects", ["0"], "0"),
        ("net/ipv4/conf/default/accept_redirects", ["0"], "0"),
        ("net/ipv4/conf/all/rp_filter", ["0", "2"], "2"),
    ];

    /// <summary>The settings that are wrong: key, current value, value to set.</summary>
    public static IReadOnlyList<(string Key, string Current, string Needed)> Check(Func<string, string>? read = null)
        => [.. Required.Select(r => (r.Key, Current: (read ?? Read)(r.Key), Needed: r.Fix, r.Accepted))
            .Where(s => !s.Accepted.Contains(s.Current))
            .Select(s => (s.Key, s.Current, s.Needed))];

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
