using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Processes;

/// <summary>
/// One proc connector event, decoded. <see cref="Pid"/>/<see cref="Tgid"/> name the subject (the child
/// of a fork); <see cref="OtherPid"/>/<see cref="OtherTgid"/> the parent (fork, exit) or tracer (ptrace).
/// </summary>
internal readonly record struct ConnectorEvent(
    ProcEventType Type,
    uint Cpu,
    uint Seq,
    ulong TimestampNs,
    int Pid,
    int Tgid,
    int OtherPid,
    int OtherTgid,
    int ExitCode,
    string? Comm)
{
    /// <summary>Fork, exit and comm events also fire for threads; those are not processes.</summary>
    public bool IsThread => Pid != Tgid;
}
