using BuildSentry.Core.Alerts;
using BuildSentry.Core.Events;

namespace BuildSentry.Core.Monitoring;

public sealed partial class JobMonitor
{
    /// <summary>
    /// A job process on the worker's diagnostics port is tampering whatever the profile says: no
    /// build step needs the worker's memory. It is a violation (killed in kill mode), alerted once per
    /// client and worker. Clients outside any job (an operator's dotnet-dump, the daemon's own probe)
    /// are not job findings and raise nothing here.
    /// </summary>
    private void OnRunnerDiagnostics(RunnerDiagnosticsContacted e)
    {
        if (e.Client == e.Worker
            || !Tracker.Processes.TryGet(e.Client, out var client)
            || Tracker.JobOf(client) is not { } job
            || !_states.TryGetValue(job.Id, out var state))
        {
            return;
        }

        var worker = Tracker.Processes.TryGet(e.Worker, out var record) ? record.Details.Exe : "a runner worker";
        Violation(state, client, AlertKinds.RunnerDiagnosticsPort, "Job process connected to the runner worker's .NET diagnostics port",
            null, null,
            $"pid {e.Client.Pid} connected to the diagnostics IPC socket of {worker} (pid {e.Worker.Pid}), which can dump the worker's memory or inject code into it",
            $"diagnostics|{e.Worker}", e.Time);
    }
}
