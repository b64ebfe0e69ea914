using System.Runtime.CompilerServices;

namespace IkeSharp.Linux.Userspace;

/// <summary>
/// Packets and bytes (of inner packets) through one direction of a Child SA, checked against its
/// soft and hard byte/packet limits as the kernel checks an XFRM state's: the soft limit is reported
/// once (the SA should be rekeyed), the hard one once, after which the SA carries nothing more.
/// Counting is done by the one packet thread that drives the direction, with no lock and one
/// comparison per limit kind; crossing a limit (rare) takes the slow path. Time limits come from a
/// timer thread through <see cref="Expire"/>; the state only moves forward, so each level is reported
/// once whichever thread gets there first.
/// </summary>
internal sealed class SaTraffic
{
    private const int Fresh = 0;
    private const int Soft = 1;
    private const int Hard = 2;

    private readonly ulong _hardBytes;
    private readonly ulong _hardPackets;
    private readonly Action<bool>? _expired;
    private long _packets;
    private long _bytes;
    private ulong _nextBytes;
    private ulong _nextPackets;
    private int _state;

    /// <param name="expired">Called with true for the hard limit, false for the soft one (on the thread that crossed it).</param>
    public SaTraffic(ulong softBytes = 0, ulong hardBytes = 0, ulong softPackets = 0, ulong hardPackets = 0, Action<bool>? expired = null)
    {
        _hardBytes = OrNone(hardBytes);
        _hardPackets = OrNone(hardPackets);
        _nextBytes = Math.Min(OrNone(softBytes), _hardBytes);
        _nextPackets = Math.Min(OrNone(softPackets), _hardPackets);
        _expired = expired;
    }

    public long Packets => Volatile.Read(ref _packets);

    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>The hard limit was reached (by traffic or time): the SA must not be used.</summary>
    public bool Expired => Volatile.Read(ref _state) == Hard;

    /// <summary>
    /// Counts one packet before it is sent or delivered; false when the SA has expired (drop it).
    /// The packet that reaches a hard limit still passes, as with the kernel's XFRM lifetimes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryCount(int bytes)
    {
        if (Volatile.Read(ref _state) == Hard)
        {
            return false;
        }

        var packets = _packets + 1;
        var total = _bytes + bytes;
        Volatile.Write(ref _packets, packets);
        Volatile.Write(ref _bytes, total);
        if ((ulong)total >= _nextBytes || (ulong)packets >= _nextPackets)
        {
            Crossed((ulong)packets, (ulong)total);
        }

        return true;
    }

    /// <summary>
    /// Reaches a limit from outside the packet path (a time limit); reports it unless
    /// <paramref name="report"/> is false. False when that level had been reached already.
    /// </summary>
    public bool Expire(bool hard, bool report = true)
    {
        if (!Advance(hard ? Hard : Soft))
        {
            return false;
        }

        if (report)
        {
            _expired?.Invoke(hard);
        }

        return true;
    }

    private void Crossed(ulong packets, ulong bytes)
    {
        var hard = packets >= _hardPackets || bytes >= _hardBytes;
        // Past the soft level only the hard limits are left to watch; past the hard one nothing.
        _nextBytes = hard ? ulong.MaxValue : _hardBytes;
        _nextPackets = hard ? ulong.MaxValue : _hardPackets;
        _ = Expire(hard);
    }

    /// <summary>Moves the state forward to <paramref name="target"/>; false when it was already there.</summary>
    private bool Advance(int target)
    {
        var current = Volatile.Read(ref _state);
        while (current < target)
        {
            var seen = Interlocked.CompareExchange(ref _state, target, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    private static ulong OrNone(ulong limit) => limit == 0 ? ulong.MaxValue : limit;
}
