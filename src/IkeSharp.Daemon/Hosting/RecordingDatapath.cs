using IkeSharp.Engine;

namespace IkeSharp.Daemon.Hosting;

/// <summary>Records installed Child SAs (and drops their keys); protects no traffic.</summary>
public sealed class RecordingDatapath : IDatapath
{
    private readonly List<ChildSaInstallation> _installed = [];

    public string Description => "record: Child SAs are negotiated and recorded, but no packet is protected";

    public bool RequiresUdpEncapsulation => false;

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

    public IReadOnlyDictionary<string, long> Drops { get; } = new Dictionary<string, long>();

    public void UpdateEndpoints(UpdateChildSaEndpoints update)
    {
    }

    public ChildSaCounters? CountersFor(uint inboundSpi) => null;

    public void Dispose()
    {
    }
}
