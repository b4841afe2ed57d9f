using BuildSentry.Core.Events;

namespace BuildSentry.Linux.Kernel;

/// <summary>
/// One process record from the BPF programs, decoded. Pids are global (the init PID namespace's), whatever
/// namespace the process lives in. <see cref="Comm"/>, <see cref="Filename"/> and <see cref="Argv"/> are the
/// process's own bytes, made visible (<see cref="Processes.CmdlineParser"/>), and only an exec carries them.
/// </summary>
/// <param name="JobSlot">The job the kernel holds the process in (seeded or inherited at fork); 0 for none.</param>
/// <param name="TimeNs">When the program ran, CLOCK_MONOTONIC.</param>
/// <param name="Process">The process (its tgid) with its start time in clock ticks, as /proc/PID/stat has it.</param>
/// <param name="Parent">Its real parent, likewise.</param>
/// <param name="Uid">Effective uid (the owner of /proc/PID).</param>
/// <param name="Gid">Effective gid.</param>
/// <param name="WaitStatus">At exit, the wait status (exit code and signal); 0 otherwise.</param>
/// <param name="Filename">At exec, the file as the caller named it to execve (not resolved).</param>
/// <param name="FilenameCut">The filename was longer than the programs' bound and is cut.</param>
/// <param name="ArgvUnread">The arguments could not be read from the process's memory at exec.</param>
public readonly record struct KernelRecord(
    KernelRecordKind Kind,
    uint JobSlot,
    ulong TimeNs,
    ProcessKey Process,
    ProcessKey Parent,
    int Uid,
    int Gid,
    ulong CgroupId,
    int WaitStatus,
    string Comm,
    string Filename,
    IReadOnlyList<string> Argv,
    bool FilenameCut,
    bool ArgvUnread);
