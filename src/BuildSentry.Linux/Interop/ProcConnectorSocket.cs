using System.ComponentModel;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

/// <summary>A NETLINK_CONNECTOR socket joined to the proc connector's multicast group.</summary>
internal sealed unsafe class ProcConnectorSocket : IDisposable
{
    private const int NetlinkConnector = 11;
    private const uint McastListen = 1;
    private const uint McastIgnore = 2;

    private int _fd;

    private ProcConnectorSocket(int fd) => _fd = fd;

    /// <summary>The receive buffer the kernel actually granted (it reports twice the requested size).</summary>
    public int ReceiveBufferBytes { get; private set; }

    public static ProcConnectorSocket Open(int receiveBufferBytes)
    {
        var fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NetlinkConnector);
        if (fd < 0)
        {
            throw Error("socket(NETLINK_CONNECTOR)");
        }

        var result = new ProcConnectorSocket(fd);
        try
        {
            result.SetReceiveBuffer(receiveBufferBytes);
            var address = new SockAddrNl { Family = (ushort)AF_NETLINK, Groups = CnMsg.IdxProc };
            if (bind(fd, (sockaddr*)&address, SockAddrNl.Size) < 0)
            {
                throw Error("bind(CN_IDX_PROC)");
            }

            result.SendMcastOp(McastListen);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>Takes a queued datagram, or waits up to <paramref name="timeoutMs"/> for one, so that a
    /// stopping reader notices promptly. Under load this is one recv per datagram, no poll.
    /// <paramref name="drained"/> runs when the socket is found empty, before the wait: every event the
    /// kernel sent until then has been received; <paramref name="woke"/> runs when the wait ends, before
    /// anything more is received.</summary>
    public ReceiveStatus Receive(Span<byte> buffer, int timeoutMs, out int length, Action? drained = null, Action? woke = null)
    {
        var status = TryReceive(buffer, out length);
        if (status != ReceiveStatus.TimedOut)
        {
            return status;
        }

        drained?.Invoke();
        bool ready;
        try
        {
            var pfd = new pollfd { fd = _fd, events = POLLIN };
            var result = poll(&pfd, 1, timeoutMs);
            if (result < 0 && errno != EINTR)
            {
                throw Error("poll");
            }

            ready = result > 0;
        }
        finally
        {
            woke?.Invoke();
        }

        length = 0;
        return ready ? TryReceive(buffer, out length) : ReceiveStatus.TimedOut;
    }

    /// <summary>Whether a datagram is queued (a zero-timeout poll; safe from any thread).</summary>
    public bool HasPending()
    {
        var pfd = new pollfd { fd = _fd, events = POLLIN };
        return poll(&pfd, 1, 0) > 0;
    }

    private ReceiveStatus TryReceive(Span<byte> buffer, out int length) =>
        NetlinkReceive.Try(_fd, buffer, "NETLINK_CONNECTOR", out length);

    public void Dispose()
    {
        if (_fd < 0)
        {
            return;
        }

        try
        {
            SendMcastOp(McastIgnore);
        }
        catch (Win32Exception)
        {
            // Closing the socket below leaves the group as well; the op only tells the kernel sooner.
        }

        close(_fd);
        _fd = -1;
    }

    private void SetReceiveBuffer(int bytes)
    {
        // SO_RCVBUFFORCE passes rmem_max (needs CAP_NET_ADMIN, which joining the group needs anyway).
        if (setsockopt(_fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(int)) < 0)
        {
            setsockopt(_fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(int));
        }

        int granted;
        socklen_t size = sizeof(int);
        ReceiveBufferBytes = getsockopt(_fd, SOL_SOCKET, SO_RCVBUF, &granted, &size) == 0 ? granted : 0;
    }

    private void SendMcastOp(uint op)
    {
        const int length = NlMsgHdr.Size + CnMsg.Size + sizeof(uint);
        var message = stackalloc byte[length];
        var header = (NlMsgHdr*)message;
        *header = new NlMsgHdr { Length = length, Type = NlMsgHdr.TypeDone };
        var cn = (CnMsg*)(message + NlMsgHdr.Size);
        *cn = new CnMsg { Idx = CnMsg.IdxProc, Val = CnMsg.ValProc, Len = sizeof(uint) };
        *(uint*)(message + NlMsgHdr.Size + CnMsg.Size) = op;
        if ((long)send(_fd, message, length, 0) < 0)
        {
            throw Error("send(PROC_CN_MCAST)");
        }
    }

    private static Win32Exception Error(string call) => new(errno, call);
}
