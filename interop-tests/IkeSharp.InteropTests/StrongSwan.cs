using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace IkeSharp.InteropTests;

/// <summary>
/// strongSwan 5.9.8's charon in a namespace with its user-space ESP datapath (kernel-libipsec, as
/// this kernel has no ESP), a private config directory and vici socket, driven through swanctl.
/// The recipe is the one in shared/lab-notes.md.
/// </summary>
internal sealed partial class StrongSwan : IDisposable
{
    private readonly string _ns;
    private readonly string _dir;
    private Process? _charon;
    private StringBuilder _output = new();

    /// <param name="charonSettings">Extra strongswan.conf settings inside <c>charon { }</c>.</param>
    public StrongSwan(string ns, string swanctlConf, IReadOnlyDictionary<string, string>? files = null, string charonSettings = "")
    {
        _ns = ns;
        _dir = Directory.CreateTempSubdirectory("iks-strongswan-").FullName;
        foreach (var sub in new[] { "run", "swanctl/conf.d", "swanctl/pubkey", "swanctl/private", "swanctl/x509", "swanctl/x509ca", "swanctl/rsa", "swanctl/ecdsa" })
        {
            Directory.CreateDirectory(Path.Combine(_dir, sub));
        }

        File.WriteAllText(Path.Combine(_dir, "swanctl", "swanctl.conf"), swanctlConf);
        foreach (var (name, content) in files ?? new Dictionary<string, string>())
        {
            File.WriteAllText(Path.Combine(_dir, "swanctl", name), content);
        }

        File.WriteAllText(Path.Combine(_dir, "strongswan.conf"), $$"""
            charon {
              load = random nonce aes sha1 sha2 hmac gcm pem pkcs1 pkcs8 x509 pubkey constraints gmp openssl kdf kernel-libipsec kernel-netlink socket-default vici updown
              install_virtual_ip = no
              {{charonSettings}}
              plugins {
                vici {
                  socket = unix://{{_dir}}/run/charon.vici
                }
              }
              filelog {
                lab {
                  path = {{_dir}}/charon.log
                  append = no
                  flush_line = yes
                  default = 1
                  ike = 2
                  cfg = 2
                }
              }
            }
            """);
        Start();
    }

    public string Log => File.Exists(Path.Combine(_dir, "charon.log")) ? File.ReadAllText(Path.Combine(_dir, "charon.log")) : _output.ToString();

    public void Start()
    {
        (_charon, _output) = Shell.Start($"ip netns exec {_ns} unshare -m sh -c \"mount -t tmpfs tmpfs /run && mkdir -p /run/strongswan " +
            $"&& mount --bind {_dir}/swanctl /etc/swanctl && STRONGSWAN_CONF={_dir}/strongswan.conf exec /usr/lib/ipsec/charon\"");
        if (!Shell.WaitUntil(() => File.Exists(Path.Combine(_dir, "run", "charon.vici")), TimeSpan.FromSeconds(15)))
        {
            throw new InvalidOperationException("charon did not start: " + _output);
        }

        Swanctl("--load-all");
    }

    /// <summary>Kills charon as a crash would (no DELETE sent).</summary>
    public void Kill()
    {
        _charon?.Kill(entireProcessTree: true);
        _charon?.WaitForExit();
        File.Delete(Path.Combine(_dir, "run", "charon.vici"));
    }

    public string Swanctl(string arguments)
        => Shell.Run($"ip netns exec {_ns} unshare -m sh -c \"mount --bind {_dir}/swanctl /etc/swanctl " +
            $"&& STRONGSWAN_CONF={_dir}/strongswan.conf exec swanctl {arguments} --uri unix://{_dir}/run/charon.vici\"");

    /// <summary>The IKE and Child SAs as <c>swanctl --list-sas --raw</c> reports them, key by key.</summary>
    public SwanctlSas ListSas() => new(Swanctl("--list-sas --raw"));

    public void Dispose()
    {
        Kill();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>The parts of <c>swanctl --list-sas --raw</c> the tests compare.</summary>
internal sealed partial class SwanctlSas(string raw)
{
    public string Raw { get; } = raw;

    public bool HasEstablishedIkeSa => Raw.Contains("state=ESTABLISHED", StringComparison.Ordinal);

    public bool HasInstalledChildSa => Raw.Contains("state=INSTALLED", StringComparison.Ordinal);

    public string? Value(string key) => Field(key).Match(Raw) is { Success: true } m ? m.Groups[1].Value : null;

    private static Regex Field(string key) => new($@"\b{Regex.Escape(key)}=([^ \]]+)");
}
