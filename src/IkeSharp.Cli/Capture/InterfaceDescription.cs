namespace IkeSharp.Cli.Capture;

/// <summary>What a pcapng Interface Description Block says about the packets of its interface.</summary>
/// <param name="LinkType">LINKTYPE_* value of the interface.</param>
/// <param name="SnapLength">Snapshot length; 0 means no limit. Only needed to size Simple Packet Blocks.</param>
/// <param name="Resolution">
/// Raw if_tsresol octet (draft-ietf-opsawg-pcapng §4.2): most significant bit clear means units of
/// 10^-n seconds, set means 2^-n seconds, with n in the remaining 7 bits.
/// </param>
/// <param name="OffsetSeconds">if_tsoffset: seconds added to every timestamp of the interface.</param>
internal readonly record struct InterfaceDescription(int LinkType, uint SnapLength, byte Resolution, long OffsetSeconds)
{
    /// <summary>
    /// Converts a 64-bit timestamp in interface units to UTC. Arithmetic is done in 128 bits because
    /// units can be as fine as 2^-127 s; the result is truncated to DateTimeOffset's 100 ns tick.
    /// </summary>
    public DateTimeOffset ToTimestamp(long blockOffset, ulong units)
    {
        var exponent = Resolution & 0x7F;
        Int128 ticks;
        if ((Resolution & 0x80) != 0)
        {
            ticks = (Int128)(((UInt128)units * (ulong)TimeSpan.TicksPerSecond) >> exponent);
        }
        else if (exponent <= 7)
        {
            ticks = (Int128)(units * PowerOfTen(7 - exponent));
        }
        else if (exponent - 7 <= 19)
        {
            // 10^19 is the largest power of ten that fits in 64 bits.
            ticks = units / (ulong)PowerOfTen(exponent - 7);
        }
        else
        {
            // Any 64-bit count of units finer than 10^-26 s is below one tick.
            ticks = 0;
        }

        var utcTicks = ticks + ((Int128)OffsetSeconds * TimeSpan.TicksPerSecond) + DateTimeOffset.UnixEpoch.UtcTicks;
        if (utcTicks < DateTimeOffset.MinValue.UtcTicks || utcTicks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw new CaptureFormatException(blockOffset, $"pcapng packet timestamp {units} (if_tsresol 0x{Resolution:X2}, if_tsoffset {OffsetSeconds}) lies outside years 1-9999");
        }

        return new DateTimeOffset((long)utcTicks, TimeSpan.Zero);
    }

    private static UInt128 PowerOfTen(int exponent)
    {
        UInt128 result = 1;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
