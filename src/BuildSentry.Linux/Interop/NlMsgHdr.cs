using System.Runtime.InteropServices;

namespace BuildSentry.Linux.Interop;

/// <summary>struct nlmsghdr (linux/netlink.h), 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NlMsgHdr
{
    public const int Size = 16;
    public const ushort TypeDone = 3;
    public const ushort TypeError = 2;

    public uint Length;
    public ushort Type;
    public ushort Flags;
    public uint Seq;
    public uint Pid;

    /// <summary>NLMSG_ALIGN: messages in a datagram start on 4-byte boundaries.</summary>
    public static int Align(int length) => (length + 3) & ~3;
}
