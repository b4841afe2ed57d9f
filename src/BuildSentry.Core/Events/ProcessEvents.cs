namespace BuildSentry.Core.Events;

/// <summary>A new process (not a thread). Lineage is fixed here, once, whatever happens to the parent later.</summary>
public sealed record ProcessForked(DateTimeOffset Time, ProcessKey Child, ProcessKey Parent) : SensorEvent(Time)
{
    /// <summary>When the kernel stamped the fork, in CLOCK_MONOTONIC nanoseconds; 0 when unknown (a scan, a
    /// replayed trace). Compared with the time a parent entered its job's cgroup (see IJobPlacement.Adopt).</summary>
    public ulong KernelTimeNs { get; init; }

    /// <summary>The job slot the kernel's membership map gave the child at this fork (the eBPF sensor); 0 for none or
    /// unknown. A child the kernel already placed in its job needs no seeding from user space.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public uint KernelJobSlot { get; init; }
}

/// <summary>A process replaced its image. <see cref="Details"/> is <see cref="ProcessDetails.Unknown"/>
/// when the process exited before /proc could be read.</summary>
public sealed record ProcessExecuted(DateTimeOffset Time, ProcessKey Process, ProcessDetails Details) : SensorEvent(Time);

public sealed record ProcessExited(DateTimeOffset Time, ProcessKey Process, int ExitCode) : SensorEvent(Time);

public sealed record ProcessCommChanged(DateTimeOffset Time, ProcessKey Process, string Comm) : SensorEvent(Time);

/// <summary>A process was attached to by a tracer (PTRACE_ATTACH/SEIZE); tracer is zero on detach.</summary>
public sealed record ProcessPtraced(DateTimeOffset Time, ProcessKey Target, ProcessKey Tracer) : SensorEvent(Time);
