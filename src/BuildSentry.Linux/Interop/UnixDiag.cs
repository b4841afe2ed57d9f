using System.Buffers.Binary;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// NETLINK_SOCK_DIAG for AF_UNIX (linux/unix_diag.h): the peer of one unix socket, by inode. This is
/// the only way to pair the two ends of a unix connection: /proc/net/unix shows the path on the
/// server's end only and no peer at all.
/// </summary>
internal sealed unsafe class UnixDiag : IDisposable
{
    private const int NetlinkSockDiag = 4;
    private const ushort SockDiagByFamily = 20;
    private const ushort NlmsgError = 2;
    private const ushort NlmFRequest = 1;
    private const int HeaderSize = 16;
    private const int RequestSize = 24;
    private const int MessageSize = 16;
    private const uint ShowPeer = 4;
    private const ushort AttributePeer = 2;

    private readonly int _fd;
    private uint _sequence;

    public UnixDiag()
    {
        _fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NetlinkSockDiag);
        if (_fd < 0)
            throw new InvalidOperationException($"socket(AF_NETLINK, NETLINK_SOCK_DIAG) failed: errno {errno}");
        var timeout = stackalloc long[] { 1, 0 };
        setsockopt(_fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 2 * sizeof(long));
    }

    /// <summary>The inode of the socket connected to <paramref name="inode"/>, or null (gone, unconnected, unknown).</summary>
    public uint? PeerOf(uint inode)
    {
        var request = stackalloc byte[HeaderSize + RequestSize];
        var span = new Span<byte>(request, HeaderSize + RequestSize);
        span.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)span.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], SockDiagByFamily);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], NlmFRequest);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], ++_sequence);
        var body = span[HeaderSize..];
        body[0] = (byte)AF_UNIX;
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], uint.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(body[8..], inode);
        BinaryPrimitives.WriteUInt32LittleEndian(body[12..], ShowPeer);
        // No cookie: an exact lookup by inode with INET_DIAG_NOCOOKIE.
        BinaryPrimitives.WriteUInt32LittleEndian(body[16..], uint.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(body[20..], uint.MaxValue);
        if (send(_fd, request, span.Length, 0) < 0)
            throw new InvalidOperationException($"unix_diag send failed: errno {errno}");

        var buffer = stackalloc byte[4096];
        while (true)
        {
            var received = (long)recv(_fd, buffer, 4096, 0);
            if (received < 0 && errno == EINTR)
                continue;
            if (received < 0)
                throw new InvalidOperationException($"unix_diag recv failed: errno {errno}");
            var reply = new ReadOnlySpan<byte>(buffer, (int)received);
            if (reply.Length < HeaderSize)
                return null;
            if (BinaryPrimitives.ReadUInt32LittleEndian(reply[8..]) != _sequence)
                continue;
            return BinaryPrimitives.ReadUInt16LittleEndian(reply[4..]) == NlmsgError ? null : Peer(reply);
        }
    }

    public void Dispose() => close(_fd);

    /// <summary>Walks the reply's attributes (4-byte aligned) for UNIX_DIAG_PEER, bounds-checked.</summary>
    internal static uint? Peer(ReadOnlySpan<byte> reply)
    {
        var length = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(reply), (uint)reply.Length);
        var offset = HeaderSize + MessageSize;
        while (offset + 4 <= length)
        {
            var attributeLength = BinaryPrimitives.ReadUInt16LittleEndian(reply[offset..]);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(reply[(offset + 2)..]);
            if (attributeLength < 4 || offset + attributeLength > length)
                return null;
            if (type == AttributePeer && attributeLength >= 8)
                return BinaryPrimitives.ReadUInt32LittleEndian(reply[(offset + 4)..]);
            offset += (attributeLength + 3) & ~3;
        }

        return null;
    }
}
