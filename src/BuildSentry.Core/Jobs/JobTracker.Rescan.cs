using BuildSentry.Core.Events;
using BuildSentry.Core.Processes;

namespace BuildSentry.Core.Jobs;

public sealed partial class JobTracker
{
    /// <summary>
    /// Reconciles the table with a full /proc scan: processes the table lacks are adopted (parents
    /// first, so children inherit their job), and live entries the scan no longer shows are retired.
    /// </summary>
    private void OnRescan(ProcessRescanned rescan)
    {
        var seen = new HashSet<ProcessKey>(rescan.Processes.Count);
        foreach (var snapshot in rescan.Processes)
        {
            seen.Add(snapshot.Process);
        }

        var gone = new List<ProcessRecord>();
        foreach (var live in Processes.Live)
        {
            if (!seen.Contains(live.Key))
            {
                gone.Add(live);
            }
        }

        foreach (var process in gone)
        {
            Exit(process, rescan.Time, -1);
        }

        foreach (var snapshot in rescan.Processes.OrderBy(s => s.Process.StartTime).ThenBy(s => s.Process.Pid))
        {
            if (Processes.TryGetLive(snapshot.Process.Pid, out var known) && known.Key == snapshot.Process)
            {
                if (!known.HasExecuted && snapshot.Details != ProcessDetails.Unknown)
                {
                    known.Details = snapshot.Details;
                }

                continue;
            }

            Adopt(snapshot, rescan.Time);
        }
    }

    private void Adopt(ProcessSnapshot snapshot, DateTimeOffset time)
    {
        var process = LiveOrAdopt(snapshot.Process, snapshot.Parent, snapshot.Details, time);
        var job = JobOf(process);
        if (job is null && JobMarkers.Detect(snapshot.Details.JobMarkers) is { } metadata)
        {
            job = JoinOrStartByMarkers(process, metadata, time);
        }

        _observer.ProcessStarted(process, job, exec: true);
    }
}
