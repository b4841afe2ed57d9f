using BuildSentry.Core.Network;
using BuildSentry.Linux.Attribution;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// Exact lookups in the kernel's connection tracking table (ctnetlink, needs CAP_NET_ADMIN), of the network namespace the
/// socket was made in. Where the kernel has no conntrack, or refuses the socket, every lookup answers null.
/// </summary>
internal sealed unsafe class ConntrackSocket : IDisposable
{
    private const int NetlinkNetfilter = 12;
    private const int ReceiveSize = 4096;

    private readonly int _fd;
    private uint _sequence;

    public ConntrackSocket()
    {
        _fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NetlinkNetfilter);
        if (_fd >= 0)
        {
            // struct timeval on 64-bit Linux: a lost answer must not hang the capture thread for longer.
            var timeout = stackalloc long[] { 0, 200_000 };
            setsockopt(_fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 2 * sizeof(long));
        }
    }

    /// <summary>The flow a packet leaving the host (<paramref name="wire"/>) started as, before source NAT; null when
    /// conntrack knows no such connection, or cannot be asked.</summary>
    public FlowKey? OriginalOf(FlowKey wire)
    {
        if (_fd < 0)
        {
            return null;
        }

        var sequence = ++_sequence;
        var request = stackalloc byte[ConntrackMessages.MaxRequestSize];
        var length = ConntrackMessages.WriteRequest(wire, sequence, new Span<byte>(request, ConntrackMessages.MaxRequestSize));
        if (send(_fd, request, length, 0) < 0)
        {
            return null;
        }

        var buffer = stackalloc byte[ReceiveSize];
        while (true)
        {
            var received = (long)recv(_fd, buffer, ReceiveSize, 0);
            if (received < 0 && errno == EINTR)
            {
                continue;
            }

            if (received < NlMsgHdr.Size)
            {
                return null;
            }

            var datagram = new ReadOnlySpan<byte>(buffer, (int)Math.Min(received, ReceiveSize));
            // An answer to an earlier request that timed out is skipped; this one's answer, or its error, ends the wait.
            if (System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(datagram[8..]) != sequence)
            {
                continue;
            }

            return ConntrackMessages.TryReadOriginal(datagram, sequence, out var original) ? original : null;
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            close(_fd);
        }
    }
}
