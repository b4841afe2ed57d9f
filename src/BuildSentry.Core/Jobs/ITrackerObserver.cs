using BuildSentry.Core.Events;
using BuildSentry.Core.Processes;

namespace BuildSentry.Core.Jobs;

/// <summary>Receives what the tracker concluded, in event order. The policy engine and reports implement it.</summary>
public interface ITrackerObserver
{
    void JobStarted(JobRecord job);

    void JobEnded(JobRecord job);

    /// <summary>A process started (fork) or replaced its image (exec); <paramref name="job"/> is null outside jobs.</summary>
    void ProcessStarted(ProcessRecord process, JobRecord? job, bool exec);

    void ProcessExited(ProcessRecord process, JobRecord? job);

    void SensorLost(SensorLoss loss);

    /// <summary>Something asked the tracker to do what it refuses (e.g. a job process re-rooting itself).</summary>
    void Refused(SensorEvent request, string reason);
}
