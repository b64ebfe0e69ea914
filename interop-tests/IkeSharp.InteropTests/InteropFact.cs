namespace IkeSharp.InteropTests;

/// <summary>Skips (visibly, with the reason) when the lab cannot run: it needs root and strongSwan.</summary>
internal static class LabRequirements
{
    public static void Check()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "interop tests need root (network namespaces, UDP 500/4500); run ./test.sh as root");
        Skip.IfNot(File.Exists("/usr/lib/ipsec/charon") && File.Exists("/usr/sbin/swanctl"),
            "interop tests need strongSwan (apt-get install strongswan-charon strongswan-swanctl libcharon-extra-plugins); ./test.sh installs it when run as root");
    }
}
