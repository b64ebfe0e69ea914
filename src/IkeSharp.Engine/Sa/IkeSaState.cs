namespace IkeSharp.Engine.Sa;

/// <summary>Life cycle of an IKE SA.</summary>
public enum IkeSaState
{
    /// <summary>IKE_SA_INIT in progress.</summary>
    Connecting,
    /// <summary>Keys derived, IKE_AUTH in progress.</summary>
    Authenticating,
    Established,
    /// <summary>Replaced by a rekey (§2.18): its Child SAs moved to the new IKE SA; it waits for its DELETE.</summary>
    Rekeyed,
    /// <summary>Our DELETE is on its way.</summary>
    Deleting,
    /// <summary>Gone; kept only until the engine drops it from its table.</summary>
    Dead,
}
