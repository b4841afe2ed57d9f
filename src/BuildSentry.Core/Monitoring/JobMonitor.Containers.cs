using BuildSentry.Core.Alerts;

namespace BuildSentry.Core.Monitoring;

public sealed partial class JobMonitor
{
    /// <summary>
    /// A container the job asked for that still runs when the job's report is written outlives the job: whatever it
    /// does next is nobody's. One finding per container, alerted (never a kill: the job is over).
    /// </summary>
    private void ContainersLeftRunning(JobState state)
    {
        foreach (var container in state.Job.Containers)
        {
            if (!container.Running)
            {
                continue;
            }

            Violation(state, null, AlertKinds.ContainerLeftRunning, "Container left running by the job", null, null,
                $"container {container.ShortId} '{container.Name}' (image {container.Image}) started by the job at {container.StartedAt:O} still runs after the job ended",
                $"container|{container.Id}", _lastEventTime);
        }
    }
}
