namespace IkeSharp.Linux.Userspace;

/// <summary>
/// Anti-replay window (RFC 4303 §3.4.3 and Appendix A): accepts each sequence number once, and only
/// within <see cref="Size"/> of the highest authenticated one. With ESN it also infers the unsent
/// high 32 bits. <see cref="Check"/> runs before the ICV is verified, <see cref="Accept"/> after.
/// </summary>
internal sealed class ReplayWindow
{
    private readonly ulong[] _bits;
    private ulong _top;

    public ReplayWindow(int size = 128)
    {
        if (size < 32 || size % 64 != 0 && size != 32)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "the replay window is 32 or a multiple of 64 packets");
        }

        Size = size;
        _bits = new ulong[(size + 63) / 64];
    }

    public int Size { get; }

    /// <summary>The highest sequence number accepted so far.</summary>
    public ulong Top => _top;

    /// <summary>
    /// The full sequence number the packet's low 32 bits stand for (Appendix A2.2), or false when it
    /// is a replay or too old to tell.
    /// </summary>
    public bool Check(uint low, bool extended, out ulong sequence)
    {
        sequence = low;
        if (extended)
        {
            var topHigh = (uint)(_top >> 32);
            var topLow = (uint)_top;
            var bottom = topLow - (uint)Size + 1;
            var high = topLow >= Size - 1
                ? (low >= bottom ? topHigh : topHigh + 1)
                : (low >= bottom ? topHigh - 1 : topHigh);
            sequence = ((ulong)high << 32) | low;
        }

        if (sequence == 0 && !extended)
        {
            return false; // §3.3.3: the first packet is 1; 0 never appears
        }

        if (sequence > _top)
        {
            return true;
        }

        var age = _top - sequence;
        return age < (ulong)Size && !IsSet(sequence);
    }

    /// <summary>Marks an authenticated packet, sliding the window when it is the newest.</summary>
    public void Accept(ulong sequence)
    {
        if (sequence > _top)
        {
            var shift = sequence - _top;
            if (shift >= (ulong)Size)
            {
                Array.Clear(_bits);
            }
            else
            {
                for (var s = _top + 1; s <= sequence; s++)
                {
                    Clear(s);
                }
            }

            _top = sequence;
        }

        Set(sequence);
    }

    private int Index(ulong sequence) => (int)(sequence % (ulong)Size);

    private bool IsSet(ulong sequence) => (_bits[Index(sequence) / 64] & (1UL << (Index(sequence) % 64))) != 0;

    private void Set(ulong sequence) => _bits[Index(sequence) / 64] |= 1UL << (Index(sequence) % 64);

    private void Clear(ulong sequence) => _bits[Index(sequence) / 64] &= ~(1UL << (Index(sequence) % 64));
}
