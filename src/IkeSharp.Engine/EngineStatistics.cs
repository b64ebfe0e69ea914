namespace IkeSharp.Engine;

/// <summary>
/// Counters of what the engine dropped and why: unauthenticated garbage is counted, never answered.
/// Updated with Interlocked from any thread.
/// </summary>
public sealed class EngineStatistics
{
    private long _undecodable;
    private long _unknownSpi;
    private long _integrityFailures;
    private long _unexpectedMessages;
    private long _cookiesSent;
    private long _retransmissions;
    private long _halfOpenRefused;
    private long _queueFull;

    public long Undecodable => Interlocked.Read(ref _undecodable);

    public long UnknownSpi => Interlocked.Read(ref _unknownSpi);

    public long IntegrityFailures => Interlocked.Read(ref _integrityFailures);

    public long UnexpectedMessages => Interlocked.Read(ref _unexpectedMessages);

    public long CookiesSent => Interlocked.Read(ref _cookiesSent);

    public long Retransmissions => Interlocked.Read(ref _retransmissions);

    /// <summary>IKE_SA_INIT requests dropped by block_threshold or half_open_limit.</summary>
    public long HalfOpenRefused => Interlocked.Read(ref _halfOpenRefused);

    /// <summary>Datagrams dropped because their tunnel's queue was full.</summary>
    public long QueueFull => Interlocked.Read(ref _queueFull);

    internal void CountUndecodable() => Interlocked.Increment(ref _undecodable);

    internal void CountUnknownSpi() => Interlocked.Increment(ref _unknownSpi);

    internal void CountIntegrityFailure() => Interlocked.Increment(ref _integrityFailures);

    internal void CountUnexpected() => Interlocked.Increment(ref _unexpectedMessages);

    internal void CountCookieSent() => Interlocked.Increment(ref _cookiesSent);

    internal void CountRetransmission() => Interlocked.Increment(ref _retransmissions);

    internal void CountHalfOpenRefused() => Interlocked.Increment(ref _halfOpenRefused);

    internal void CountQueueFull() => Interlocked.Increment(ref _queueFull);
}
