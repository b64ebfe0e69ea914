using IkeSharp.Engine;

namespace IkeSharp.Daemon.Hosting;

/// <summary>
/// The datapath of last resort: Child SAs are negotiated and logged by the engine, their keys are
/// dropped at once, and no packet is protected.
/// </summary>
public sealed class RecordingDatapath : IDatapath
{
    public string Description => "record: Child SAs are negotiated and logged, but no packet is protected";

    public bool RequiresUdpEncapsulation => false;

    public IReadOnlyDictionary<string, long> Drops { get; } = new Dictionary<string, long>();

    public void Install(ChildSaInstallation installation) => installation.Dispose();

    public void Remove(RemoveChildSa removal)
    {
    }

    public void UpdateEndpoints(UpdateChildSaEndpoints update)
    {
    }

    public ChildSaCounters? CountersFor(uint inboundSpi) => null;

    public Action<DatapathEvent>? Events { get; set; }

    public void Dispose()
    {
    }
}
