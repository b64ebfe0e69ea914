using System.Net;
using IkeSharp.Crypto;

namespace IkeSharp.Linux.Userspace;

/// <summary>The two halves of a Child SA as the packet threads see them.</summary>
public sealed partial class UserspaceDatapath
{
    /// <summary>Where an SA's ESP goes: the IKE endpoints, and for raw ESP the socket and its serialized destination.</summary>
    private sealed record OuterEndpoints(IPEndPoint Local, IPEndPoint Remote, RawEspSocket? Raw, System.Net.SocketAddress? RawDestination);

    private sealed class OutboundSa(string child, uint reqId, uint inboundSpi, uint spi, EspProtection esp, SelectorRange[] local, SelectorRange[] remote, OuterEndpoints endpoints, SaTraffic traffic)
    {
        public string Child { get; } = child;

        public uint ReqId { get; } = reqId;

        public uint InboundSpi { get; } = inboundSpi;

        public uint Spi { get; } = spi;

        public EspProtection Esp { get; } = esp;

        public SelectorRange[] Local { get; } = local;

        public SelectorRange[] Remote { get; } = remote;

        public SaTraffic Traffic { get; } = traffic;

        /// <summary>Outer endpoints; replaced as one object (read atomically) when the peer's NAT mapping changes.</summary>
        public OuterEndpoints Endpoints
        {
            get => Volatile.Read(ref _endpoints);
            set => Volatile.Write(ref _endpoints, value);
        }

        private OuterEndpoints _endpoints = endpoints;

        public ulong Sequence { get; set; }
    }

    private sealed class InboundSa(uint spi, EspProtection esp, ReplayWindow window, SelectorRange[] local, SelectorRange[] remote, bool udpEncapsulation, SaTraffic traffic)
    {
        public uint Spi { get; } = spi;

        public EspProtection Esp { get; } = esp;

        public ReplayWindow Window { get; } = window;

        public SelectorRange[] Local { get; } = local;

        public SelectorRange[] Remote { get; } = remote;

        public bool UdpEncapsulation { get; } = udpEncapsulation;

        public SaTraffic Traffic { get; } = traffic;
    }
}
