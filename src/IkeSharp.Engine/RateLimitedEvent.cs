namespace IkeSharp.Engine;

/// <summary>
/// An event that may happen once per packet of a flood (a COOKIE sent, an IKE_SA_INIT dropped):
/// logged the first time, then at most once per interval, saying how many went unlogged in between.
/// Safe from any thread.
/// </summary>
public sealed class RateLimitedEvent(TimeSpan interval)
{
    private long _nextTicks = long.MinValue;
    private long _unlogged;

    /// <summary>Whether to log this occurrence; if so, <paramref name="unlogged"/> is how many were not since the last line.</summary>
    public bool TryLog(DateTimeOffset now, out long unlogged)
    {
        var next = Interlocked.Read(ref _nextTicks);
        if (now.UtcTicks < next || Interlocked.CompareExchange(ref _nextTicks, now.UtcTicks + interval.Ticks, next) != next)
        {
            Interlocked.Increment(ref _unlogged);
            unlogged = 0;
            return false;
        }

        unlogged = Interlocked.Exchange(ref _unlogged, 0);
        return true;
    }
}
