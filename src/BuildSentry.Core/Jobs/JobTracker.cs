using BuildSentry.Core.Events;
using BuildSentry.Core.Processes;

namespace BuildSentry.Core.Jobs;

/// <summary>
/// Turns process sensor events into a process table and jobs. Not thread-safe: its callers serialise every
/// call and read. In the daemon each holds the monitor's lock: the process sensor's thread and the capture
/// thread apply their events inline, and the monitor loop applies control requests and timers. <see cref="Apply"/>
/// takes events in the order they are admitted, and the same events always give the same jobs (replay relies on it).
/// </summary>
/// <remarks>
/// A process that is already in a job never leaves it: marker variables it sets for itself or its
/// children cannot start another job, and registration of a job member is refused. Otherwise a
/// malicious build step could move itself out of its job's profile.
/// </remarks>
public sealed partial class JobTracker
{
    /// <summary>How long after a job starts its new processes are checked into its cgroup (see <see cref="IJobPlacement.Adopt"/>).</summary>
    private static readonly TimeSpan PlacementSettling = TimeSpan.FromSeconds(2);

    private readonly ITrackerObserver _observer;
    private readonly IJobPlacement _placement;
    private readonly JobTrackerOptions _options;
    private readonly Dictionary<string, JobRecord> _active = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobRecord> _ended = new(StringComparer.Ordinal);
    private readonly Queue<string> _endedOrder = new();

    public JobTracker(ITrackerObserver observer, IJobPlacement placement, JobTrackerOptions? options = null)
    {
        _observer = observer;
        _placement = placement;
        _options = options ?? new JobTrackerOptions();
        Processes = new ProcessTable(_options.Processes);
    }

    public ProcessTable Processes { get; }

    public IReadOnlyCollection<JobRecord> ActiveJobs => _active.Values;

    public long EventsApplied { get; private set; }

    public long EventsLost { get; private set; }

    /// <summary>Finds an active or recently ended job.</summary>
    public bool TryGetJob(string jobId, out JobRecord job) =>
        _active.TryGetValue(jobId, out job!) || _ended.TryGetValue(jobId, out job!);

    public JobRecord? JobOf(ProcessRecord process) =>
        process.JobId is { } id && TryGetJob(id, out var job) ? job : null;

    public void Apply(SensorEvent e)
    {
        EventsApplied++;
        switch (e)
        {
            case ProcessForked fork: OnFork(fork); break;
            case ProcessExecuted exec: OnExec(exec); break;
            case ProcessExited exit: OnExit(exit); break;
            case ProcessCommChanged comm: OnComm(comm); break;
            case ProcessRescanned rescan: OnRescan(rescan); break;
            case JobRegistrationRequested register: Register(register, register.Root, register.Metadata, JobDetection.Registered, register.SpareRoot); break;
            case RunnerWorkerDiscovered worker: Register(worker, worker.Worker, worker.Metadata, JobDetection.RunnerWorker); break;
            case JobEndRequested end: OnEndRequested(end); break;
            case ContainerActivity container: OnContainer(container); break;
            case SensorLoss loss:
                EventsLost += loss.Lost;
                _observer.SensorLost(loss);
                break;
        }

        Processes.Evict(e.Time);
    }

    private void Register(SensorEvent request, ProcessKey rootKey, JobMetadata metadata, JobDetection detection, bool spareRoot = false)
    {
        var root = LiveOrAdopt(rootKey, default, ProcessDetails.Unknown, request.Time);
        if (JobOf(root) is { IsActive: true } current)
        {
            if (current.Metadata.IsSameJob(metadata))
            {
                current.Metadata = current.Metadata.Enrich(metadata);
                if (request is JobRegistrationRequested)
                {
                    DecideSpared(current, spareRoot ? root.Key : null);
                }

                return;
            }

            _observer.Refused(request, $"process {root.Key.Pid} already belongs to job {current.Id}");
            return;
        }

        if (_active.TryGetValue(metadata.JobId, out var existing))
        {
            _observer.Refused(request, $"job {existing.Id} is already active with root {existing.Root.Pid}");
            return;
        }

        var job = StartJob(metadata, root, request.Time, detection);
        if (request is JobRegistrationRequested)
        {
            DecideSpared(job, spareRoot ? root.Key : null);
        }
        foreach (var process in Processes.Live)
        {
            if (process.JobId is null && process != root && DescendsFrom(process, root))
            {
                Join(process, job);
            }
        }

        Place(job);
    }

    /// <summary>
    /// The job's first registration (the runner's hook, before any step) says which process a kill spares, if any. Later
    /// ones come from the job's own processes and change nothing, or a step could have its own shell spared; only once
    /// the spared process has exited may another take its place (a second <c>buildsentry exec</c> of the same build).
    /// </summary>
    private void DecideSpared(JobRecord job, ProcessKey? spared)
    {
        if (job.SpareDecided && (job.Spared is not { } current || (Processes.TryGetLive(current.Pid, out var live) && live.Key == current)))
        {
            return;
        }

        job.SpareDecided = true;
        job.Spared = spared;
    }

    private JobRecord StartJob(JobMetadata metadata, ProcessRecord root, DateTimeOffset time, JobDetection detection)
    {
        var job = new JobRecord(metadata, root.Key, time, detection);
        _active[job.Id] = job;
        _ended.Remove(job.Id);
        Join(root, job);
        _observer.JobStarted(job);
        return job;
    }

    private void Place(JobRecord job)
    {
        var members = Processes.Live.Where(p => p.JobId == job.Id).Select(p => p.Key).ToList();
        job.CgroupPath = _placement.Place(job, members);
    }

    private static void Join(ProcessRecord process, JobRecord job, bool viaContainer = false)
    {
        process.JobId = job.Id;
        process.ViaContainer = viaContainer;
        if (viaContainer)
        {
            job.LiveContainerProcesses++;
        }
        else
        {
            job.LiveProcesses++;
        }

        job.ProcessesStarted++;
        if (process.HasExecuted)
        {
            job.RecordExec(process.Details.Exe);
        }
    }

    private bool DescendsFrom(ProcessRecord process, ProcessRecord ancestor)
    {
        foreach (var parent in Processes.Ancestors(process))
        {
            if (parent == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    private void OnEndRequested(JobEndRequested end)
    {
        if (_active.TryGetValue(end.JobId, out var job))
        {
            EndJob(job, end.Time, end.Reason);
        }
    }

    private void EndJob(JobRecord job, DateTimeOffset time, string reason)
    {
        job.EndedAt = time;
        job.EndReason = reason;
        _active.Remove(job.Id);
        _ended[job.Id] = job;
        _endedOrder.Enqueue(job.Id);
        while (_endedOrder.Count > _options.MaxEndedJobs && _endedOrder.TryDequeue(out var oldest))
        {
            if (_ended.TryGetValue(oldest, out var old) && old.EndedAt is not null && !_endedOrder.Contains(oldest))
            {
                _ended.Remove(oldest);
            }
        }

        _placement.Release(job);
        _observer.JobEnded(job);
    }
}
