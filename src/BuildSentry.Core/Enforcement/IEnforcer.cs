using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;

namespace BuildSentry.Core.Enforcement;

/// <summary>The one action that stops a job. Implementations kill every process of the job and nothing else.</summary>
public interface IEnforcer
{
    /// <summary>Kills the job: its cgroup when it has one, else its known <paramref name="members"/> and their descendants.
    /// Called under the monitor's lock: an implementation that waits for the processes to exit does so elsewhere and
    /// returns with <see cref="KillResult.ExitPending"/>.</summary>
    KillResult Kill(JobRecord job, IReadOnlyList<ProcessKey> members);

    /// <summary>Kills one process outside every job whose egress an exclusive host's job answers for; the identity is
    /// checked, nothing else is signalled and nothing waits. Returns whether the signal went out.</summary>
    bool KillProcess(ProcessKey process);
}
