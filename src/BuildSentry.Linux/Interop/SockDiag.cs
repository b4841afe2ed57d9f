using System.Buffers.Binary;
using System.Net.Sockets;
using System.Net;
using System.Runtime.InteropServices;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// NETLINK_SOCK_DIAG exact-tuple lookups (inet_diag_req_v2 without NLM_F_DUMP). The socket answers
/// for the network namespace it was created in.
/// </summary>
internal sealed unsafe partial class SockDiag : IDisposable
{
    private const int NetlinkSockDiag = 4;
    private const ushort SockDiagByFamily = 20;
    private const ushort NlmsgError = 2;
    private const ushort NlmFRequest = 1;
    private const uint NoCookie = uint.MaxValue;
    private const uint AllStates = uint.MaxValue;

    private readonly int _fd;
    private uint _sequence;

    public SockDiag()
    {
        _fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NetlinkSockDiag);
        if (_fd < 0)
            throw new InvalidOperationException($"socket(AF_NETLINK, NETLINK_SOCK_DIAG) failed: errno {errno}");
        // struct timeval on 64-bit Linux: a lost answer must not hang the resolver.
        var timeout = stackalloc long[] { 1, 0 };
        setsockopt(_fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 2 * sizeof(long));
    }

    /// <summary>The socket's inode, owner uid and cookie (what bpf_get_socket_cookie returns for it), or null when the
    /// kernel knows no socket with that tuple.</summary>
    public (uint Inode, uint Uid, ulong Cookie)? Find(FlowKey flow)
    {
        var request = new Request
        {
            Header = new NlMsgHdr { Length = (uint)sizeof(Request), Type = SockDiagByFamily, Flags = NlmFRequest, Sequence = ++_sequence },
            Body = new InetDiagReqV2
            {
                Family = (byte)(flow.Source.AddressFamily == AddressFamily.InterNetwork ? 2 : 10),
                Protocol = (byte)(flow.Protocol == TransportProtocol.Tcp ? 6 : 17),
                States = AllStates,
            },
        };
        // TCP looks the tuple up as (local = src); UDP as the kernel's receive path does (local = dst).
        var (local, localPort, remote, remotePort) = (flow.Source, flow.SourcePort, flow.Destination, flow.DestinationPort);
        if (flow.Protocol == TransportProtocol.Tcp)
            Fill(ref request.Body.Id, local, localPort, remote, remotePort);
        else
            Fill(ref request.Body.Id, remote, remotePort, local, localPort);

        if (send(_fd, &request, sizeof(Request), 0) < 0)
            throw new InvalidOperationException($"sock_diag send failed: errno {errno}");
        var buffer = stackalloc byte[8192];
        while (true)
        {
            var received = (long)recv(_fd, buffer, 8192, 0);
            if (received < 0 && errno == EINTR)
                continue;
            if (received < 0)
                throw new InvalidOperationException($"sock_diag recv failed: errno {errno}");
            var span = new ReadOnlySpan<byte>(buffer, (int)received);
            if (span.Length < sizeof(NlMsgHdr))
                return null;
            var header = MemoryMarshal.Read<NlMsgHdr>(span);
            if (header.Sequence != _sequence)
                continue;
            if (header.Type == NlmsgError || span.Length < sizeof(NlMsgHdr) + sizeof(InetDiagMsg))
                return null;
            var message = MemoryMarshal.Read<InetDiagMsg>(span[sizeof(NlMsgHdr)..]);
            return (message.Inode, message.Uid, message.Id.Cookie0 | ((ulong)message.Id.Cookie1 << 32));
        }
    }

    public void Dispose() => close(_fd);

    private static void Fill(ref InetDiagSockId id, IPAddress source, int sourcePort, IPAddress destination, int destinationPort)
    {
        id.SourcePort = BinaryPrimitives.ReverseEndianness((ushort)sourcePort);
        id.DestinationPort = BinaryPrimitives.ReverseEndianness((ushort)destinationPort);
        fixed (byte* src = id.Source, dst = id.Destination)
        {
            source.TryWriteBytes(new Span<byte>(src, 16), out _);
            destination.TryWriteBytes(new Span<byte>(dst, 16), out _);
        }
        id.Cookie0 = NoCookie;
        id.Cookie1 = NoCookie;
    }
}
