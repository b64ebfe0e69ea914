using IkeSharp.Engine;

namespace IkeSharp.Linux;

/// <summary>
/// The datapath of last resort: Child SAs are negotiated and logged by the engine, their keys are
/// dropped at once, and no packet is protected.
/// </summary>
internal sealed class RecordingDatapath : IDatapath
{
    private readonly RandomChildSpiSource _spis = new();
    private int _nextReqId;

    public string Description => "record: Child SAs are negotiated and logged, but no packet is protected";

    public IReadOnlyDictionary<string, long> Drops { get; } = new Dictionary<string, long>();

    public uint AllocateInboundSpi(System.Net.IPAddress local, System.Net.IPAddress remote) => _spis.AllocateInboundSpi(local, remote);

    public uint Install(ChildSaInstallation installation)
    {
        installation.Dispose();
        return installation.ReqId != 0 ? installation.ReqId : (uint)Interlocked.Increment(ref _nextReqId);
    }

    public void Remove(RemoveChildSa removal)
    {
    }

    public void UpdateEndpoints(UpdateChildSaEndpoints update)
    {
    }

    public void InstallTraps(InstallTrapPolicies trap)
    {
    }

    public void RemoveTraps(string tunnel)
    {
    }

    public ChildSaCounters? CountersFor(uint inboundSpi) => null;

    public Action<DatapathEvent>? Events { get; set; }

    public void Dispose()
    {
    }
}
