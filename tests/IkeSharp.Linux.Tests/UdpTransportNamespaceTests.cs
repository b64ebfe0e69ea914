using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using IkeSharp.Linux.Sockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace IkeSharp.Linux.Tests;

/// <summary>The IKE sockets on UDP 500/4500 of 127.0.0.1, each test in its own network namespace.</summary>
public class UdpTransportNamespaceTests
{
    private static readonly IPAddress Loopback = IPAddress.Loopback;

    // ESP in UDP on 4500 whose handler throws, then an IKE datagram on 4500: the receive thread lives on.
    [SkippableFact]
    public void A_handler_that_throws_drops_its_datagram_and_the_receive_thread_goes_on()
    {
        using var ns = NetworkNamespace.Create();
        var (failures, received) = ns.Run(() =>
        {
            using var transport = new UdpTransport(NullLogger<UdpTransport>.Instance);
            var ike = new BlockingCollection<byte[]>();
            transport.EspReceived = _ => throw new InvalidOperationException("a bug in the ESP path");
            transport.Received = (_, _, datagram) =>
            {
                if (datagram.Span[4] == 0xbb)
                {
                    throw new InvalidOperationException("a bug in the IKE path");
                }

                ike.Add(datagram.ToArray());
            };
            transport.Bind([Loopback]);
            using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var natT = new IPEndPoint(Loopback, 4500);
            peer.SendTo([0x00, 0x00, 0x10, 0x01, 0, 0, 0, 1, 0xaa, 0xaa], natT); // ESP: SPI 0x1001, sequence 1
            peer.SendTo([0, 0, 0, 0, 0xbb, 0xbb, 0xbb, 0xbb], natT); // non-ESP marker: IKE
            peer.SendTo([0, 0, 0, 0, 0xcc, 0xcc, 0xcc, 0xcc], natT);
            var taken = ike.TryTake(out var datagram, TimeSpan.FromSeconds(5)) ? datagram : null;
            return (transport.HandlerFailures, taken);
        });

        Assert.Equal(2, failures);
        Assert.Equal([0, 0, 0, 0, 0xcc, 0xcc, 0xcc, 0xcc], received);
    }

    // Answers to 10,000 (forged) sources: the cache of their socket addresses stays bounded.
    [SkippableFact]
    public void Sending_to_ever_new_addresses_keeps_the_address_cache_bounded()
    {
        using var ns = NetworkNamespace.Create();
        var cached = ns.Run(() =>
        {
            using var transport = new UdpTransport(NullLogger<UdpTransport>.Instance);
            transport.Bind([Loopback]);
            var local = new IPEndPoint(Loopback, 500);
            var most = 0;
            for (var i = 0; i < 10_000; i++)
            {
                transport.Send(local, new IPEndPoint(Loopback, 20_000 + i), [1, 2, 3, 4]);
                most = Math.Max(most, transport.CachedAddresses);
            }

            return most;
        });

        Assert.Equal(UdpTransport.AddressCacheLimit, cached);
    }
}
