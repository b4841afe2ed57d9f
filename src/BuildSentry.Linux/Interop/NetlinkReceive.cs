using System.ComponentModel;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

/// <summary>The non-blocking receive the daemon's netlink listeners share (proc connector, nfnetlink_log).</summary>
internal static unsafe class NetlinkReceive
{
    /// <summary>One queued datagram, without waiting: Received, TimedOut (none queued) or Overrun (ENOBUFS: the
    /// kernel dropped messages because the socket was full). Other errors throw, naming <paramref name="what"/>.</summary>
    public static ReceiveStatus Try(int fd, Span<byte> buffer, string what, out int length)
    {
        length = 0;
        long received;
        fixed (byte* p = buffer)
        {
            received = recv(fd, p, buffer.Length, MSG_DONTWAIT);
        }

        if (received >= 0)
        {
            length = (int)Math.Min(received, buffer.Length);
            return ReceiveStatus.Received;
        }

        var error = errno;
        return error == ENOBUFS ? ReceiveStatus.Overrun
            : error == EAGAIN || error == EINTR ? ReceiveStatus.TimedOut
            : throw new Win32Exception(error, $"recv({what})");
    }
}
