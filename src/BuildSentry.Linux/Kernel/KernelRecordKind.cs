namespace BuildSentry.Linux.Kernel;

/// <summary>The kind field of a BPF record (KIND_* in buildsentry.bpf.c).</summary>
public enum KernelRecordKind : uint
{
    Fork = 1,
    Exec = 2,
    Exit = 3,

    /// <summary>The process renamed itself (not at exec).</summary>
    Comm = 4,
}
