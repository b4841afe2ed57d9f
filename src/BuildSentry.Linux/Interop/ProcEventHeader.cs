using System.Runtime.InteropServices;

namespace BuildSentry.Linux.Interop;

/// <summary>The fixed head of struct proc_event (linux/cn_proc.h); the event_data union follows at
/// offset 16 and is 24 bytes long (its largest members, exit and comm), 40 bytes in all.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ProcEventHeader
{
    public const int Size = 16;
    public const int UnionSize = 24;
    public const int EventSize = Size + UnionSize;
    public const int CommLength = 16;

    public ProcEventType What;
    public uint Cpu;
    public ulong TimestampNs;
}
