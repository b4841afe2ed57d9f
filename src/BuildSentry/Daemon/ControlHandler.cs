using BuildSentry.Control;
using BuildSentry.Core.Alerts;
using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Reports;
using BuildSentry.Core.Text;
using BuildSentry.Linux.Processes;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>
/// Answers control-socket requests (job start and end from runner hooks, status, reload). Each runs on the monitor
/// loop, so it sees the state every earlier event made; the kernel's word (/proc) decides who the caller is.
/// </summary>
internal sealed partial class ControlHandler(MonitorPipeline pipeline, StatusBuilder status, ProfileReloader reloader, KernelJobSlots slots, TimeProvider time,
    ILogger<ControlHandler> logger) : IDaemonControl
{
    private readonly ProcFs _proc = new();

    private JobMonitor Monitor => pipeline.Monitor;

    /// <summary>How long a request waits for the process sensor to apply what happened before it arrived, at most.</summary>
    private static readonly TimeSpan SensorCatchUp = TimeSpan.FromMilliseconds(250);

    public async Task<ControlResponse> HandleAsync(ControlRequest request, PeerCredentials peer, CancellationToken cancellationToken)
    {
        // Decided on what the kernel reported before the request: the caller's own fork and exec, the job it runs in.
        // The wait is off the loop; the eBPF sensor drains every few milliseconds.
        var arrived = time.GetUtcNow();
        pipeline.RequestSensorDrain();
        while (pipeline.SensorCaughtUpUntil() < arrived && time.GetUtcNow() - arrived < SensorCatchUp)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1), time, cancellationToken);
        }

        var answer = new TaskCompletionSource<ControlResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!pipeline.Queue.Post(() => answer.TrySetResult(Handle(request, peer))))
        {
            return ControlResponse.Refused("the daemon is stopping");
        }

        return await answer.Task.WaitAsync(cancellationToken);
    }

    public void PeerRefused(PeerCredentials peer, string reason) =>
        pipeline.Queue.Post(() => Monitor.RaiseDaemonAlert(time.GetUtcNow(), AlertKinds.ControlRefused, "Control socket request refused",
            AlertSeverity.High, $"pid {peer.Pid} uid {peer.Uid}: {SafeText.Escape(reason)}", AlertAction.Refused));

    private ControlResponse Handle(ControlRequest request, PeerCredentials peer) => request.Command switch
    {
        ControlCommands.JobStart => JobStart(request, peer, Ancestry(peer.Pid)),
        ControlCommands.JobEnd => JobEnd(request, peer, Ancestry(peer.Pid)),
        ControlCommands.JobReport => JobReport(request, peer, Ancestry(peer.Pid)),
        ControlCommands.Status => status.Build(),
        ControlCommands.Reload => reloader.Reload($"control request from pid {peer.Pid}"),
        _ => ControlResponse.Refused($"unknown command {SafeText.Escape(request.Command)}"),
    };

    /// <summary>
    /// Registers the caller's job. The root defaults to the caller's parent (the hook script's
    /// parent for a hook that runs <c>buildsentry job start</c>) and must be the caller or one of its
    /// ancestors: a hook can start monitoring its own lineage, never an unrelated process.
    /// </summary>
    private ControlResponse JobStart(ControlRequest request, PeerCredentials peer, List<int> ancestry)
    {
        var rootPid = request.RootPid ?? (ancestry.Count > 1 ? ancestry[1] : peer.Pid);
        if (!ancestry.Contains(rootPid))
        {
            return Refuse(peer, $"root pid {rootPid} is neither the caller ({peer.Pid}) nor one of its ancestors");
        }

        if (_proc.TryGetKey(rootPid) is not { } root)
        {
            return ControlResponse.Refused($"process {rootPid} does not exist");
        }

        var metadata = Metadata(request, rootPid);
        if (CallerJob(peer, ancestry) is { } own && !own.Metadata.IsSameJob(metadata))
        {
            return Refuse(peer, $"pid {peer.Pid} is a process of job {own.Id} and may not start another job");
        }

        pipeline.ApplyNow(new JobRegistrationRequested(time.GetUtcNow(), root, metadata, request.SpareRoot == true));
        if (Monitor.Tracker.TryGetJob(metadata.JobId, out var job) && job.IsActive)
        {
            var profile = Monitor.TryGetState(job.Id, out var state) ? state.Profile?.Name ?? "(none)" : "(none)";
            var spared = job.Spared is { } runner ? $" (a kill spares pid {runner.Pid})" : "";
            return new ControlResponse(true, $"job {job.Id} monitored from pid {job.Root.Pid}{spared} with profile {profile}");
        }

        return ControlResponse.Refused($"job {metadata.JobId} was not registered; see the daemon's alerts");
    }

    /// <summary>Ends a job. A process inside any monitored job may not: that is how a step would switch the sensor off.</summary>
    private ControlResponse JobEnd(ControlRequest request, PeerCredentials peer, List<int> ancestry)
    {
        if (CallerJob(peer, ancestry) is { } own)
        {
            return Refuse(peer, $"pid {peer.Pid} is a process of job {own.Id} and may not end a job");
        }

        var jobId = request.JobId is { } id ? JobIds.Create(id) : JobRootedAbove(ancestry)?.Id;
        if (jobId is null || !Monitor.Tracker.TryGetJob(jobId, out var job) || !job.IsActive)
        {
            return ControlResponse.Refused(jobId is null ? "no active job is rooted above the caller; pass --job-id" : $"no active job {SafeText.Escape(jobId)}");
        }

        pipeline.ApplyNow(new JobEndRequested(time.GetUtcNow(), job.Id, $"ended by control request from pid {peer.Pid}"));
        return new ControlResponse(true, $"job {job.Id} ended");
    }

    /// <summary>
    /// The report so far of an active job, or of one whose report waits for late findings. A process inside a job may
    /// read its own job's report (the completion hooks run there) and no other.
    /// </summary>
    private ControlResponse JobReport(ControlRequest request, PeerCredentials peer, List<int> ancestry)
    {
        var own = CallerJob(peer, ancestry);
        var jobId = request.JobId is { } id ? JobIds.Create(id) : own?.Id ?? JobRootedAbove(ancestry)?.Id;
        if (own is not null && jobId != own.Id)
        {
            return Refuse(peer, $"pid {peer.Pid} is a process of job {own.Id} and may not read the report of another job");
        }

        if (jobId is null || !Monitor.TryGetStateOrEnding(jobId, out var state))
        {
            return ControlResponse.Refused(jobId is null
                ? "the caller is in no job; pass --job-id"
                : $"no active job {SafeText.Escape(jobId)}; a finished job's report is in the reports directory (buildsentry report)");
        }

        var report = JobReportBuilder.From(state);
        return new ControlResponse(true, $"job {report.JobId}: {JobVerdict.Of(report)}") { Body = JobReportJson.ToNode(report) };
    }

    private ControlResponse Refuse(PeerCredentials peer, string reason)
    {
        Monitor.RaiseDaemonAlert(time.GetUtcNow(), AlertKinds.ControlRefused, "Control request refused", AlertSeverity.High,
            reason, AlertAction.Refused);
        LogControlRefused(peer.Pid, reason);
        return ControlResponse.Refused(reason);
    }

    /// <summary>
    /// The active job the caller belongs to. The process sensor may not have applied the caller's own fork and exec yet
    /// (the eBPF sensor drains every few milliseconds; a hook's CLI connects sooner), so the tracker's word is joined by
    /// the kernel's job membership map and by the caller's ancestors in /proc: a job's new process is never taken for
    /// an outsider.
    /// </summary>
    private JobRecord? CallerJob(PeerCredentials peer, List<int> ancestry)
    {
        if (slots.JobOfProcess(peer.Pid) is { } kernelJob && Monitor.Tracker.TryGetJob(kernelJob, out var inKernel) && inKernel.IsActive)
        {
            return inKernel;
        }

        foreach (var pid in ancestry)
        {
            if (Monitor.Tracker.Processes.TryGetLive(pid, out var process) && Monitor.Tracker.JobOf(process) is { IsActive: true } job)
            {
                return job;
            }
        }

        return null;
    }

    private JobRecord? JobRootedAbove(List<int> ancestry) => Monitor.Tracker.ActiveJobs.FirstOrDefault(j => ancestry.Contains(j.Root.Pid));

    /// <summary>The caller and its ancestors, nearest first, from /proc (the kernel's word, not the client's).</summary>
    private List<int> Ancestry(int pid)
    {
        var chain = new List<int>();
        while (pid > 0 && chain.Count < 64 && !chain.Contains(pid))
        {
            chain.Add(pid);
            pid = _proc.TryReadStat(pid, out var stat) ? stat.Ppid : 0;
        }

        return chain;
    }

    private static JobMetadata Metadata(ControlRequest request, int rootPid)
    {
        var markers = request.Metadata ?? [];
        var detected = JobMarkers.Detect(markers);
        var ci = request.Ci ?? detected?.CiSystem ?? CiSystems.Manual;
        if (request.JobId is { } explicitId)
        {
            return (detected ?? new JobMetadata(ci, "")) with { CiSystem = ci, JobId = JobIds.Create(explicitId) };
        }

        return detected ?? new JobMetadata(ci, JobIds.Create(ci, "pid" + rootPid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Control request from pid {Pid} refused: {Reason}")]
    private partial void LogControlRefused(int pid, string reason);
}
