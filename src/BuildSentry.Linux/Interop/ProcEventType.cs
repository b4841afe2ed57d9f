namespace BuildSentry.Linux.Interop;

/// <summary>enum proc_event.what (linux/cn_proc.h).</summary>
internal enum ProcEventType : uint
{
    None = 0,
    Fork = 0x1,
    Exec = 0x2,
    Uid = 0x4,
    Gid = 0x40,
    Sid = 0x80,
    Ptrace = 0x100,
    Comm = 0x200,
    NonZeroExit = 0x20000000,
    Coredump = 0x40000000,
    Exit = 0x80000000,
}
