using System.Net.Sockets;
using System.Security.Cryptography;
using IkeSharp.Engine;
using IkeSharp.Linux.Interop;
using Tmds.Linux;
using static IkeSharp.Linux.Interop.netlink;

namespace IkeSharp.Linux.Netlink;

/// <summary>
/// A netlink socket (NETLINK_XFRM or NETLINK_ROUTE) in the calling thread's network namespace. Requests are serialised: one
/// is sent, then replies are read until its ack, error or NLMSG_DONE (replies of other sequence
/// numbers, e.g. left over from a timed-out request, are skipped). Errors become
/// <see cref="NetlinkException"/> naming the operation, the errno and the kernel's extended-ack text.
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    private readonly Socket _socket;
    private readonly Lock _lock = new();
    private readonly byte[] _buffer = new byte[256 * 1024];
    private uint _sequence = (uint)Environment.TickCount;

    private NetlinkSocket(Socket socket) => _socket = socket;

    /// <summary>Opens an XFRM request socket, or with <paramref name="groups"/> one that receives those multicast groups.</summary>
    public static NetlinkSocket OpenXfrm(params int[] groups) => Open(NETLINK_XFRM, "NETLINK_XFRM", "is the xfrm_user module available?", groups);

    /// <summary>Opens an rtnetlink request socket (routes, rules, links).</summary>
    public static NetlinkSocket OpenRoute() => Open(NETLINK_ROUTE, "NETLINK_ROUTE", null, []);

    private static NetlinkSocket Open(int protocol, string name, string? hint, int[] groups)
    {
        var fd = LibC.socket(AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            throw new NetlinkException($"opening the {name} socket", -LibC.errno, hint);
        }

        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        try
        {
            var on = 1;
            // Extended acks explain refusals ("Requested AEAD algorithm not found"); capped acks keep them short.
            _ = LibC.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof(int));
            _ = LibC.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof(int));
            var address = new sockaddr_nl { nl_family = AF_NETLINK };
            if (LibC.bind(fd, (sockaddr*)&address, sizeof(sockaddr_nl)) < 0)
            {
                throw new NetlinkException($"binding the {name} socket", -LibC.errno);
            }

            foreach (var group in groups)
            {
                var g = group;
                if (LibC.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(int)) < 0)
                {
                    throw new NetlinkException($"joining {name} multicast group {group}", -LibC.errno, "needs CAP_NET_ADMIN");
                }
            }

            // Event sockets wake up every second so their reader can notice a stop: a blocked
            // netlink receive is not interrupted by closing the socket (netlink has no shutdown).
            socket.ReceiveTimeout = groups.Length == 0 ? 5000 : 1000;
            return new NetlinkSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public uint NextSequence() => Interlocked.Increment(ref _sequence);

    /// <summary>Sends a request built with <paramref name="sequence"/> and waits for its ack; the request is zeroed afterwards (it may hold keys).</summary>
    public void Execute(string operation, byte[] request, uint sequence)
    {
        try
        {
            _ = Transact(operation, request, sequence, expectAck: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(request);
        }
    }

    /// <summary>Sends a request answered by one message (GETSA, ALLOCSPI) and returns it.</summary>
    public NetlinkMessage Query(string operation, byte[] request, uint sequence)
        => Transact(operation, request, sequence, expectAck: false).Single();

    /// <summary>Sends a dump request and returns every message up to NLMSG_DONE.</summary>
    public List<NetlinkMessage> Dump(string operation, byte[] request, uint sequence)
        => Transact(operation, request, sequence, expectAck: false);

    /// <summary>What the kernel multicast (event sockets only); empty after a second of silence.</summary>
    public List<NetlinkMessage> ReceiveEvents()
    {
        try
        {
            var length = _socket.Receive(_buffer);
            return NetlinkReplies.Split(_buffer.AsMemory(0, length).ToArray());
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.Interrupted)
        {
            return [];
        }
    }

    public void Dispose() => _socket.Dispose();

    private List<NetlinkMessage> Transact(string operation, byte[] request, uint sequence, bool expectAck)
    {
        lock (_lock)
        {
            try
            {
                _ = _socket.Send(request);
            }
            catch (SocketException e)
            {
                throw new NetlinkException(operation, -e.NativeErrorCode);
            }

            var results = new List<NetlinkMessage>();
            while (true)
            {
                int length;
                try
                {
                    length = _socket.Receive(_buffer);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    throw new NetlinkException(operation, -110 /* ETIMEDOUT */, "the kernel did not answer");
                }

                // Copied out and the receive buffer wiped: SA dumps include key material.
                var datagram = _buffer.AsMemory(0, length).ToArray();
                CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, length));
                foreach (var message in NetlinkReplies.Split(datagram))
                {
                    if (message.Sequence != sequence)
                    {
                        continue;
                    }

                    switch (message.Type)
                    {
                        case NLMSG_ERROR:
                            var (errno, text) = NetlinkReplies.Error(message);
                            if (errno != 0)
                            {
                                throw new NetlinkException(operation, errno, text);
                            }

                            return results;
                        case NLMSG_DONE:
                            return results;
                        default:
                            results.Add(message);
                            if (!expectAck && (message.Flags & NLM_F_MULTI) == 0)
                            {
                                return results;
                            }

                            break;
                    }
                }
            }
        }
    }
}

/// <summary>The kernel refused a netlink request: what was being done, the errno and the kernel's own explanation.</summary>
public sealed class NetlinkException(string operation, int errno, string? detail = null)
    : DatapathException($"{operation} failed: {ErrnoName(-errno)} ({-errno}){(detail is null ? "" : $": {detail}")}")
{
    /// <summary>The positive errno (e.g. 38 for ENOSYS).</summary>
    public int Errno { get; } = -errno;

    private static string ErrnoName(int errno) => errno switch
    {
        1 => "EPERM",
        2 => "ENOENT",
        3 => "ESRCH",
        12 => "ENOMEM",
        13 => "EACCES",
        17 => "EEXIST",
        19 => "ENODEV",
        22 => "EINVAL",
        38 => "ENOSYS",
        93 => "EPROTONOSUPPORT",
        95 => "EOPNOTSUPP",
        97 => "EAFNOSUPPORT",
        101 => "ENETUNREACH",
        113 => "EHOSTUNREACH",
        110 => "ETIMEDOUT",
        _ => "errno",
    };
}
