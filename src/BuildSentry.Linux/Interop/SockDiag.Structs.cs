using System.Runtime.InteropServices;

namespace BuildSentry.Linux.Interop;

/// <summary>linux/netlink.h and linux/inet_diag.h, laid out by hand; sizes are checked by tests.</summary>
internal sealed unsafe partial class SockDiag
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct NlMsgHdr
    {
        public uint Length;
        public ushort Type;
        public ushort Flags;
        public uint Sequence;
        public uint Pid;
    }

    /// <summary>Ports are big-endian; addresses are 16 bytes, IPv4 in the first 4.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct InetDiagSockId
    {
        public ushort SourcePort;
        public ushort DestinationPort;
        public fixed byte Source[16];
        public fixed byte Destination[16];
        public uint Interface;
        public uint Cookie0;
        public uint Cookie1;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct InetDiagReqV2
    {
        public byte Family;
        public byte Protocol;
        public byte Extensions;
        public byte Pad;
        public uint States;
        public InetDiagSockId Id;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct InetDiagMsg
    {
        public byte Family;
        public byte State;
        public byte Timer;
        public byte Retransmits;
        public InetDiagSockId Id;
        public uint Expires;
        public uint ReceiveQueue;
        public uint WriteQueue;
        public uint Uid;
        public uint Inode;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Request
    {
        public NlMsgHdr Header;
        public InetDiagReqV2 Body;
    }
}
