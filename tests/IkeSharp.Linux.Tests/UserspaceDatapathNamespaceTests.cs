using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using IkeSharp.Crypto;
using IkeSharp.Engine;
using IkeSharp.Engine.Configuration;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Linux.Userspace;
using IkeSharp.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IkeSharp.Linux.Tests;

/// <summary>
/// The user-space datapath in a namespace of its own, talking to itself: one Child SA whose inbound
/// and outbound halves share SPI and keys, with both endpoints on loopback and no UDP
/// encapsulation (over IPv4 and IPv6), so every packet routed into the TUN device is sealed, sent as raw ESP (IP
/// protocol 50), received on the raw socket, opened and counted inbound.
/// </summary>
public class UserspaceDatapathNamespaceTests
{
    private const uint Spi = 0xc0ffee01;
    [SkippableTheory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Raw_ESP_carries_packets_and_byte_packet_limits_are_reported_once_each_then_enforced(string outer)
    {
        using var ns = NetworkNamespace.Create();
        ns.Ip("addr", "add", "10.9.0.1/32", "dev", "lo");
        var events = new ConcurrentQueue<ChildSaExpired>();

        var (counters, drops, stop) = ns.Run(() =>
        {
            var datapath = new UserspaceDatapath("ikst0", 128, new NoUdp(), NullLogger<UserspaceDatapath>.Instance);
            datapath.Events = e => events.Enqueue((ChildSaExpired)e);
            datapath.Install(Installation(new ChildLifetime(RekeyPackets: 3, LifePackets: 5), IPAddress.Parse(outer)));
            Send(8);
            WaitUntil(() => events.Count >= 4);
            var result = (datapath.CountersFor(Spi), datapath.Drops);
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            datapath.Dispose();
            return (result.Item1, result.Drops, stopwatch.Elapsed);
        });

        Assert.True(stop < TimeSpan.FromSeconds(1.5), $"stopping took {stop}: a receive thread did not wake up");
        Assert.Equal(new ChildSaCounters(5, 5 * 128, 5, 5 * 128), counters);
        Assert.Equal(3, drops[nameof(EspDrop.Expired)]);
        Assert.Equal(0, drops[nameof(EspDrop.WrongEncapsulation)]);
        Assert.Equal(0, drops[nameof(EspDrop.Integrity)]);
        // outbound and inbound (same SPI here) each: soft once, hard once
        Assert.Equal([false, false, true, true], events.Select(e => e.Hard).Order());
        Assert.All(events, e => Assert.Equal(Spi, e.Spi));
    }

    [SkippableFact]
    public void Time_limits_are_reported_once_per_Child_SA_and_the_hard_one_stops_both_directions()
    {
        using var ns = NetworkNamespace.Create();
        ns.Ip("addr", "add", "10.9.0.1/32", "dev", "lo");
        var time = new FakeTimeProvider();
        var events = new ConcurrentQueue<ChildSaExpired>();

        var (before, after, drops, reported) = ns.Run(() =>
        {
            using var datapath = new UserspaceDatapath("ikst0", 128, new NoUdp(), NullLogger<UserspaceDatapath>.Instance, time);
            datapath.Events = e => events.Enqueue((ChildSaExpired)e);
            datapath.Install(Installation(new ChildLifetime(RekeyTime: TimeSpan.FromMinutes(50), LifeTime: TimeSpan.FromMinutes(60))));
            Send(2);
            WaitUntil(() => datapath.CountersFor(Spi)?.InPackets == 2);
            var before = datapath.CountersFor(Spi);
            time.Advance(TimeSpan.FromMinutes(50));
            var soft = events.ToArray();
            time.Advance(TimeSpan.FromMinutes(10));
            Send(2);
            Thread.Sleep(300);
            return (before, datapath.CountersFor(Spi), datapath.Drops, soft);
        });

        Assert.Equal([new ChildSaExpired(Spi, false)], reported);
        Assert.Equal([new ChildSaExpired(Spi, false), new ChildSaExpired(Spi, true)], events);
        Assert.Equal(before, after);
        Assert.Equal(2, drops[nameof(EspDrop.Expired)]);
    }

    private static ChildSaInstallation Installation(ChildLifetime lifetime, IPAddress? outer = null)
    {
        var endpoint = new IPEndPoint(outer ?? IPAddress.Loopback, 500);
        var key = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray(); // AES-128-GCM key and salt
        ImmutableArray<TrafficSelector> all = [TrafficSelectorNarrowing.FromPrefix("10.0.0.0/8")];
        return new ChildSaInstallation("t", "net", 1, endpoint, endpoint, UdpEncapsulation: false, Spi, Spi,
            new ChildSaCipherSuite(EncryptionAlgorithm.ENCR_AES_GCM_16, 128, IntegrityAlgorithm.NONE),
            SecretBuffer.CopyOf(key), SecretBuffer.CopyOf([]), SecretBuffer.CopyOf(key), SecretBuffer.CopyOf([]), all, all)
        { Lifetime = lifetime };
    }

    /// <summary>UDP datagrams whose IP packets are 128 bytes, from our selector address into the tunnel.</summary>
    private static void Send(int count)
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Parse("10.9.0.1"), 0));
        for (var i = 0; i < count; i++)
        {
            udp.SendTo(new byte[128 - 28], new IPEndPoint(IPAddress.Parse("10.7.0.1"), 9));
            Thread.Sleep(20);
        }
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var end = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!condition() && DateTime.UtcNow < end)
        {
            Thread.Sleep(20);
        }
    }

    private sealed class NoUdp : IEspTransport
    {
        public void SendEsp(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> espPacket) => Assert.Fail("this SA is not UDP-encapsulated");
    }
}
