using System.Runtime.InteropServices;

namespace IkeSharp.Linux.Nat;

/// <summary>
/// The kernel settings a NAT-instance gateway needs, checked at startup and either set or reported
/// with the exact command that fixes them: forwarding on, ICMP redirects off (the gateway must not
/// tell hosts to bypass it), and reverse-path filtering not strict, since decrypted packets from
/// the remote subnets arrive on an interface the main table does not route them back through.
/// Gateway-wide values are not enough on the interfaces the gateway forwards through: the kernel
/// sends redirects when <c>all</c> or the interface asks for them, forwards only what arrives on an
/// interface with <c>forwarding</c> on, and filters with the larger of <c>all</c>'s and the
/// interface's <c>rp_filter</c> (so <c>all</c> = 2 makes every interface loose).
/// </summary>
public static class SysctlPreflight
{
    /// <summary>Each gateway-wide setting with the values that are fine and the value to set otherwise.</summary>
    public static readonly IReadOnlyList<(string Key, string[] Accepted, string Fix)> Required =
    [
        ("net/ipv4/ip_forward", ["1"], "1"),
        ("net/ipv4/conf/all/send_redirects", ["0"], "0"),
        ("net/ipv4/conf/default/send_redirects", ["0"], "0"),
        ("net/ipv4/conf/all/accept_redirects", ["0"], "0"),
        ("net/ipv4/conf/default/accept_redirects", ["0"], "0"),
        ("net/ipv4/conf/all/rp_filter", ["0", "2"], "2"),
    ];

    /// <summary>The settings that are wrong, gateway-wide and on <paramref name="interfaces"/>: key, current value, value to set.</summary>
    public static IReadOnlyList<(string Key, string Current, string Needed)> Check(IEnumerable<string> interfaces, Func<string, string>? read = null)
    {
        read ??= Read;
        var looseEverywhere = read("net/ipv4/conf/all/rp_filter") == "2";
        // Interfaces made after the check (the user-space datapath's TUN device) start from default's values.
        var perInterface = interfaces.Distinct().SelectMany(device => PerInterface(device, looseEverywhere))
            .Concat(looseEverywhere ? [] : [("net/ipv4/conf/default/rp_filter", (string[])["0", "2"], "2")]);
        return [.. Required.Concat(perInterface)
            .Select(r => (r.Key, Current: read(r.Key), Needed: r.Fix, r.Accepted))
            .Where(s => !s.Accepted.Contains(s.Current))
            .Select(s => (s.Key, s.Current, s.Needed))];
    }

    /// <summary>Writes the values <see cref="Check"/> found wrong, in its order (ip_forward first: writing it also turns forwarding on for every interface).</summary>
    /// <exception cref="IOException">One line naming the sysctl that could not be written and the kernel's reason (not root, a read-only /proc/sys in a container).</exception>
    public static void Apply(IEnumerable<(string Key, string Current, string Needed)> wrong, Action<string, string>? write = null)
    {
        write ??= (key, value) => File.WriteAllText(Path.Combine("/proc/sys", key), value);
        foreach (var (key, _, needed) in wrong)
        {
            try
            {
                write(key, needed);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"cannot set {Name(key)}={needed}: {Reason(e)}", e);
            }
        }
    }

    public static string FixCommand(IEnumerable<(string Key, string Current, string Needed)> wrong)
        => "sysctl -w " + string.Join(" ", wrong.Select(w => $"{Name(w.Key)}={w.Needed}"));

    /// <summary>
    /// The name sysctl(8) takes: dotted, except when an interface name has a dot of its own (a VLAN
    /// such as eth0.100), where sysctl takes the slashed form as it is.
    /// </summary>
    public static string Name(string key) => key.Contains('.', StringComparison.Ordinal) ? key : key.Replace('/', '.');

    /// <summary>Whether this network namespace has an IPv4 interface of that name.</summary>
    public static bool HasInterface(string device) => Directory.Exists(Path.Combine("/proc/sys/net/ipv4/conf", device));

    private static IEnumerable<(string Key, string[] Accepted, string Fix)> PerInterface(string device, bool looseEverywhere)
    {
        var conf = $"net/ipv4/conf/{device}";
        yield return ($"{conf}/forwarding", ["1"], "1");
        yield return ($"{conf}/send_redirects", ["0"], "0");
        if (!looseEverywhere)
        {
            yield return ($"{conf}/rp_filter", ["0", "2"], "2");
        }
    }

    /// <summary>
    /// The errno behind a failed write: .NET puts it in the HResult of the IOException it throws, or
    /// of the one inside its UnauthorizedAccessException (EACCES, EPERM).
    /// </summary>
    private static string Reason(Exception e)
        => (e as IOException ?? e.InnerException as IOException)?.HResult is int errno and > 0 and < 4096
            ? $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})"
            : e.Message;

    private static string Read(string key)
    {
        var path = Path.Combine("/proc/sys", key);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : "(missing)";
    }
}
