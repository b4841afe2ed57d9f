namespace BuildSentry.Linux.Kernel;

/// <summary>The kind field of a BPF record (KIND_* in buildsentry.bpf.c).</summary>
public enum KernelRecordKind : uint
{
    Fork = 1,
    Exec = 2,
    Exit = 3,
}
