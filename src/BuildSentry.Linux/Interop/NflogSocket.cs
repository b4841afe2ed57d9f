using System.Buffers.Binary;
using System.ComponentModel;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// A NETLINK_NETFILTER socket bound to one nfnetlink_log group (the NFLOG target's --nflog-group): it
/// receives the packets the daemon's own netfilter rules log, each with the rule's prefix. Configured to
/// copy the first bytes of each packet and to send every packet at once (queue threshold 1): the kernel's
/// default batches up to 100 packets or a second.
/// </summary>
internal sealed unsafe class NflogSocket : IDisposable
{
    private const int NetlinkNetfilter = 12;
    private const ushort MsgConfig = (4 << 8) | 1; // NFNL_SUBSYS_ULOG, NFULNL_MSG_CONFIG
    private const ushort FlagRequest = 1, FlagAck = 4;
    private const ushort AttrCmd = 1, AttrMode = 2, AttrQueueThreshold = 4;
    private const byte CmdBind = 1, CmdUnbind = 2, CopyPacket = 2;

    private int _fd;
    private uint _sequence;

    private NflogSocket(int fd, ushort group)
    {
        _fd = fd;
        Group = group;
    }

    public ushort Group { get; }

    /// <summary>Binds <paramref name="group"/>; throws <see cref="Win32Exception"/> (EBUSY when another socket has it).</summary>
    public static NflogSocket Open(ushort group, int copyBytes, int receiveBufferBytes)
    {
        var fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NetlinkNetfilter);
        if (fd < 0)
        {
            throw new Win32Exception(errno, "socket(NETLINK_NETFILTER)");
        }

        var result = new NflogSocket(fd, group);
        try
        {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receiveBufferBytes, sizeof(int));
            var address = new SockAddrNl { Family = (ushort)AF_NETLINK };
            if (bind(fd, (sockaddr*)&address, SockAddrNl.Size) < 0)
            {
                throw new Win32Exception(errno, "bind(NETLINK_NETFILTER)");
            }

            result.Configure(AttrCmd, [CmdBind]);
            Span<byte> mode = stackalloc byte[6];
            BinaryPrimitives.WriteUInt32BigEndian(mode, (uint)copyBytes);
            mode[4] = CopyPacket;
            result.Configure(AttrMode, mode);
            Span<byte> threshold = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(threshold, 1);
            result.Configure(AttrQueueThreshold, threshold);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>One queued datagram, without waiting: Received, TimedOut (none queued) or Overrun (ENOBUFS: some were lost).</summary>
    public ReceiveStatus TryReceive(Span<byte> buffer, out int length) =>
        NetlinkReceive.Try(_fd, buffer, "NETLINK_NETFILTER", out length);

    public void Dispose()
    {
        if (_fd < 0)
        {
            return;
        }

        try
        {
            Configure(AttrCmd, [CmdUnbind]);
        }
        catch (Win32Exception)
        {
            // Closing the socket unbinds the group too.
        }

        close(_fd);
        _fd = -1;
    }

    /// <summary>One NFULNL_MSG_CONFIG request with one attribute, and the kernel's acknowledgement.</summary>
    private void Configure(ushort attribute, ReadOnlySpan<byte> value)
    {
        var length = NlMsgHdr.Size + 4 + NlMsgHdr.Align(4 + value.Length);
        var message = stackalloc byte[length];
        new Span<byte>(message, length).Clear();
        *(NlMsgHdr*)message = new NlMsgHdr { Length = (uint)length, Type = MsgConfig, Flags = FlagRequest | FlagAck, Seq = ++_sequence };
        // struct nfgenmsg { u8 family (AF_UNSPEC); u8 version (0); be16 res_id (the group) }
        BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(message + NlMsgHdr.Size + 2, 2), Group);
        var attr = message + NlMsgHdr.Size + 4;
        *(ushort*)attr = (ushort)(4 + value.Length);
        *(ushort*)(attr + 2) = attribute;
        value.CopyTo(new Span<byte>(attr + 4, value.Length));
        if ((long)send(_fd, message, length, 0) < 0)
        {
            throw new Win32Exception(errno, "send(NFULNL_MSG_CONFIG)");
        }

        var pfd = new pollfd { fd = _fd, events = POLLIN };
        Span<byte> reply = stackalloc byte[256];
        if (poll(&pfd, 1, 1000) <= 0 || TryReceive(reply, out var got) != ReceiveStatus.Received || got < NlMsgHdr.Size + 4)
        {
            throw new Win32Exception(ETIMEDOUT, "nfnetlink_log did not acknowledge its configuration");
        }

        var header = BinaryPrimitives.ReadUInt16LittleEndian(reply[4..]);
        var code = BinaryPrimitives.ReadInt32LittleEndian(reply[NlMsgHdr.Size..]);
        if (header == NlMsgHdr.TypeError && code != 0)
        {
            throw new Win32Exception(-code, $"nfnetlink_log refused configuration attribute {attribute} for group {Group}");
        }
    }
}
