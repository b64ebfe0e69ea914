using IkeSharp.Engine;

namespace IkeSharp.Daemon.Hosting;

/// <summary>
/// Where negotiated Child SAs go. The kernel (XFRM) and user-space (TUN) datapaths implement it in
/// later releases; <see cref="RecordingDatapath"/> keeps what it was asked to install.
/// </summary>
public interface IDatapath
{
    /// <summary>One line for the startup log: which datapath, and what it protects.</summary>
    string Description { get; }

    /// <summary>Installs both directions; takes ownership of the installation's key buffers.</summary>
    void Install(ChildSaInstallation installation);

    void Remove(RemoveChildSa removal);
}

/// <summary>Records installed Child SAs (and drops their keys); protects no traffic.</summary>
public sealed class RecordingDatapath : IDatapath
{
    private readonly List<ChildSaInstallation> _installed = [];

    public string Description => "record: Child SAs are negotiated and recorded, but no packet is protected (kernel XFRM and user-space ESP come in later releases)";

    public IReadOnlyList<ChildSaInstallation> Installed
    {
        get
        {
            lock (_installed)
            {
                return [.. _installed];
            }
        }
    }

    public void Install(ChildSaInstallation installation)
    {
        lock (_installed)
        {
            _installed.Add(installation);
        }

        installation.Dispose();
    }

    public void Remove(RemoveChildSa removal)
    {
        lock (_installed)
        {
            _installed.RemoveAll(i => i.InboundSpi == removal.InboundSpi);
        }
    }
}
