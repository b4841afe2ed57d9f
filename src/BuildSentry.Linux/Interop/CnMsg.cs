using System.Runtime.InteropServices;

namespace BuildSentry.Linux.Interop;

/// <summary>struct cn_msg (linux/connector.h), 20 bytes, followed by <see cref="Len"/> bytes of payload.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CnMsg
{
    public const int Size = 20;
    public const uint IdxProc = 1;
    public const uint ValProc = 1;

    public uint Idx;
    public uint Val;

    /// <summary>For the proc connector, a counter per CPU (the CPU is in the proc_event), so a gap
    /// between two messages from the same CPU is exactly the number of messages lost.</summary>
    public uint Seq;
    public uint Ack;
    public ushort Len;
    public ushort Flags;
}
