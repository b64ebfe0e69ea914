using IkeSharp.Protocol;

namespace IkeSharp.Engine;

/// <summary>Whether a failure ends the whole IKE SA or only one Child SA negotiation.</summary>
public enum ErrorScope
{
    IkeSa,
    ChildSa,
}

/// <summary>
/// A negotiation failure: what went wrong (configured versus received, for the operator), the
/// notify that tells the peer, and its scope — as Kestrel's HTTP/2 errors carry stream or connection scope.
/// </summary>
public sealed record IkeError(string Reason, NotifyType? Notify, ErrorScope Scope)
{
    public static IkeError IkeSa(string reason, NotifyType? notify = null) => new(reason, notify, ErrorScope.IkeSa);

    public static IkeError Child(string reason, NotifyType? notify = null) => new(reason, notify, ErrorScope.ChildSa);

    public override string ToString() => Notify is { } n ? $"{Reason} ({n})" : Reason;
}
