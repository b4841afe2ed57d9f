using System.Runtime.InteropServices;

namespace BuildSentry.Linux.Interop;

/// <summary>struct sockaddr_nl (linux/netlink.h), 12 bytes; Tmds.LibC has no netlink address.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SockAddrNl
{
    public const int Size = 12;

    public ushort Family;
    public ushort Pad;
    public uint Pid;
    public uint Groups;
}
