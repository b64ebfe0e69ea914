using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using IkeSharp.Linux.Userspace;

namespace IkeSharp.Linux.Tests;

/// <summary>Byte and packet limits of one SA direction in the user-space datapath, reported as the kernel's XFRM lifetimes are.</summary>
public class SaTrafficTests
{
    [Fact]
    public void Soft_then_hard_byte_limit_are_each_reported_once_and_the_hard_one_stops_the_SA()
    {
        var reports = new List<bool>();
        var traffic = new SaTraffic(softBytes: 3000, hardBytes: 5000, expired: reports.Add);

        var passed = Enumerable.Range(0, 10).Count(_ => traffic.TryCount(1000));

        Assert.Equal([false, true], reports);
        Assert.Equal(5, passed); // the packet that reaches the hard limit still passes
        Assert.True(traffic.Expired);
        Assert.Equal((5, 5000), (traffic.Packets, traffic.Bytes));
    }

    [Fact]
    public void Packet_limits_count_packets_whatever_their_size()
    {
        var reports = new List<bool>();
        var traffic = new SaTraffic(softPackets: 2, hardPackets: 4, expired: reports.Add);

        Assert.True(traffic.TryCount(60));
        Assert.Empty(reports);
        Assert.True(traffic.TryCount(1400));
        Assert.Equal([false], reports);
        Assert.True(traffic.TryCount(60));
        Assert.True(traffic.TryCount(60));
        Assert.Equal([false, true], reports);
        Assert.False(traffic.TryCount(60));
        Assert.Equal(4, traffic.Packets);
    }

    [Fact]
    public void No_limits_count_without_reporting()
    {
        var traffic = new SaTraffic(expired: _ => Assert.Fail("no limit was configured"));

        for (var i = 0; i < 1000; i++)
        {
            Assert.True(traffic.TryCount(1400));
        }

        Assert.Equal((1000, 1_400_000), (traffic.Packets, traffic.Bytes));
        Assert.False(traffic.Expired);
    }

    [Fact]
    public void A_hard_limit_crossed_first_is_reported_alone_and_a_later_soft_one_not_at_all()
    {
        var reports = new List<bool>();
        var traffic = new SaTraffic(softBytes: 10_000, hardPackets: 2, expired: reports.Add);

        traffic.TryCount(100);
        traffic.TryCount(100);
        Assert.False(traffic.Expire(hard: false)); // a time limit after the hard one changes nothing

        Assert.Equal([true], reports);
    }

    [Fact]
    public void A_time_limit_reached_first_suppresses_the_same_level_from_traffic()
    {
        var reports = new List<bool>();
        var traffic = new SaTraffic(softBytes: 1000, hardBytes: 2000, expired: reports.Add);

        Assert.True(traffic.Expire(hard: false, report: false));
        traffic.TryCount(1500);
        Assert.Empty(reports);
        traffic.TryCount(600);
        Assert.Equal([true], reports);

        Assert.False(traffic.Expire(hard: true));
        Assert.False(traffic.TryCount(1));
    }

    [Fact]
    public async Task Counting_and_a_racing_timer_report_the_hard_limit_once()
    {
        for (var round = 0; round < 50; round++)
        {
            var hard = 0;
            var traffic = new SaTraffic(hardPackets: 20_000, expired: h => Interlocked.Add(ref hard, h ? 1 : 0));
            var counter = Task.Run(() =>
            {
                while (traffic.TryCount(100))
                {
                }
            });
            var timer = Task.Run(() => traffic.Expire(hard: true));
            await Task.WhenAll(counter, timer);

            Assert.Equal(1, hard);
            Assert.True(traffic.Packets <= 20_000);
        }
    }

    /// <summary>Against a model: soft reported exactly when some soft or hard limit is first reached, hard likewise, each at most once.</summary>
    [Property(MaxTest = 300)]
    public Property Reports_agree_with_a_model_of_the_limits()
        => Prop.ForAll(
            Gen.Choose(0, 30).Select(i => (ulong)i * 500).Four().Zip(Gen.Choose(1, 1500).ListOf()).ToArbitrary(),
            t =>
            {
                var ((softBytes, hardBytes, softPackets, hardPackets), sizes) = t;
                var reports = new List<bool>();
                var traffic = new SaTraffic(softBytes, hardBytes / 50, softPackets / 50, hardPackets / 50, reports.Add);
                var expected = new List<bool>();
                ulong bytes = 0, packets = 0;
                var state = 0;
                var passed = 0;
                foreach (var size in sizes)
                {
                    if (state == 2)
                    {
                        continue;
                    }

                    passed++;
                    bytes += (ulong)size;
                    packets++;
                    static bool Reached(ulong limit, ulong value) => limit != 0 && value >= limit;
                    if (Reached(hardBytes / 50, bytes) || Reached(hardPackets / 50, packets))
                    {
                        expected.Add(true);
                        state = 2;
                    }
                    else if (state == 0 && (Reached(softBytes, bytes) || Reached(softPackets / 50, packets)))
                    {
                        expected.Add(false);
                        state = 1;
                    }
                }

                var counted = sizes.Count(size => traffic.TryCount(size));
                return (counted == passed && reports.SequenceEqual(expected) && traffic.Expired == (state == 2))
                    .Label($"reports {string.Join(",", reports)} expected {string.Join(",", expected)}, passed {counted} vs {passed}");
            });
}
