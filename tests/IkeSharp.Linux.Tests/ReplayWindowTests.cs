using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using IkeSharp.Linux.Userspace;

namespace IkeSharp.Linux.Tests;

/// <summary>The anti-replay window (RFC 4303 §3.4.3) against a naive model that remembers everything.</summary>
public class ReplayWindowTests
{
    /// <summary>Accept a number once, and only when it is above top - size (top = highest accepted).</summary>
    private sealed class NaiveModel(int size)
    {
        private readonly HashSet<ulong> _seen = [];
        private ulong _top;

        public bool Offer(ulong sequence)
        {
            var fresh = sequence != 0 && !_seen.Contains(sequence) && (sequence > _top || _top - sequence < (ulong)size);
            if (fresh)
            {
                _seen.Add(sequence);
                _top = Math.Max(_top, sequence);
            }

            return fresh;
        }
    }

    [Property(MaxTest = 500)]
    public Property Agrees_with_the_naive_model_on_any_arrival_order()
        => Prop.ForAll(
            Gen.Elements(32, 64, 128, 1024).Zip(Gen.Choose(0, 400).Select(i => (ulong)i).ArrayOf()).ToArbitrary(),
            t =>
            {
                var (size, arrivals) = t;
                var window = new ReplayWindow(size);
                var model = new NaiveModel(size);
                foreach (var sequence in arrivals)
                {
                    var accepted = window.Check((uint)sequence, extended: false, out var full) && full == sequence;
                    if (accepted)
                    {
                        window.Accept(full);
                    }

                    if (accepted != model.Offer(sequence))
                    {
                        return false;
                    }
                }

                return true;
            });

    [Fact]
    public void Extended_sequence_numbers_infer_the_high_half_across_the_wrap()
    {
        var window = new ReplayWindow(128);
        window.Accept(0xffff_fff0);

        Assert.True(window.Check(0x0000_0005, extended: true, out var after));
        Assert.Equal(0x1_0000_0005UL, after);
        window.Accept(after);

        Assert.True(window.Check(0xffff_fff5, extended: true, out var late));
        Assert.Equal(0xffff_fff5UL, late); // still inside the window, before the wrap
        Assert.False(window.Check(0x0000_0005, extended: true, out _)); // a replay of the post-wrap packet
    }

    [Fact]
    public void Sequence_zero_and_old_packets_are_refused()
    {
        var window = new ReplayWindow(64);
        Assert.False(window.Check(0, extended: false, out _));
        window.Accept(1000);

        Assert.False(window.Check(900, extended: false, out _));
        Assert.True(window.Check(937, extended: false, out _));
    }
}
