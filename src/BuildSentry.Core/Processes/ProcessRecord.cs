using BuildSentry.Core.Events;

namespace BuildSentry.Core.Processes;

/// <summary>What the table knows of one process identity. Lineage (<see cref="Parent"/>, <see cref="JobId"/>)
/// is fixed at fork, so a process that double-forks or is reparented stays in its job.</summary>
public sealed class ProcessRecord
{
    internal ProcessRecord(ProcessKey key, ProcessKey parent, ProcessDetails details, string? jobId, DateTimeOffset startedAt)
    {
        Key = key;
        Parent = parent;
        Details = details;
        JobId = jobId;
        StartedAt = startedAt;
    }

    public ProcessKey Key { get; }

    public ProcessKey Parent { get; }

    public ProcessDetails Details { get; internal set; }

    public string? JobId { get; internal set; }

    public DateTimeOffset StartedAt { get; }

    public DateTimeOffset? ExitedAt { get; internal set; }

    public int? ExitCode { get; internal set; }

    /// <summary>Whether the process exec'd since we first saw it (a forked child runs its parent's image until then).</summary>
    public bool HasExecuted { get; internal set; }

    public bool IsAlive => ExitedAt is null;

    /// <summary>Joined its job through a container the job asked a runtime for (not forked from the job's tree): it
    /// does not keep the job alive, so a container the job leaves running is reported at the job's end.</summary>
    public bool ViaContainer { get; internal set; }
}
