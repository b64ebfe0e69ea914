using System.Net;

namespace IkeSharp.Linux.Userspace;

/// <summary>Sends ESP-in-UDP (RFC 3948) from the shared IKE/NAT-T socket bound to the given local endpoint.</summary>
public interface IEspTransport
{
    void SendEsp(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> espPacket);
}
