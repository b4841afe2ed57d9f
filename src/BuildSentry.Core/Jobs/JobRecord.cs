using BuildSentry.Core.Events;

namespace BuildSentry.Core.Jobs;

/// <summary>A job: a process subtree with metadata, from its first process to its end.</summary>
public sealed class JobRecord
{
    internal const int MaxExecutables = 512;

    private readonly Dictionary<string, int> _executables = new(StringComparer.Ordinal);

    internal JobRecord(JobMetadata metadata, ProcessKey root, DateTimeOffset startedAt, JobDetection detection)
    {
        Metadata = metadata;
        Root = root;
        StartedAt = startedAt;
        Detection = detection;
    }

    public string Id => Metadata.JobId;

    public JobMetadata Metadata { get; internal set; }

    public ProcessKey Root { get; }

    public JobDetection Detection { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>
    /// The runner's process a kill leaves running (Runner.Worker, the Buildkite bootstrap, <c>buildsentry exec</c>), named
    /// by the job's registration; null when a kill kills every member. The runner sees its step fail and runs its
    /// completion hook; the job goes on (its later processes are members, judged, and killed again at a new violation).
    /// </summary>
    public ProcessKey? Spared { get; internal set; }

    /// <summary>A registration has said whether a process is spared: later ones, from the job's own processes, may not
    /// change it (a step must not have its shell spared), unless the spared process has exited.</summary>
    internal bool SpareDecided { get; set; }

    /// <summary>How many times the job was killed: more than once only for a job whose root is spared.</summary>
    public int Kills { get; internal set; }

    /// <summary>The latest kill left <see cref="Spared"/> running (it could be kept out of the kill).</summary>
    public bool KillSparedRoot { get; internal set; }

    public DateTimeOffset? EndedAt { get; internal set; }

    public string? EndReason { get; internal set; }

    /// <summary>The job's own cgroup v2 directory, when it has one: the enforcer kills through it.</summary>
    public string? CgroupPath { get; internal set; }

    public int LiveProcesses { get; internal set; }

    /// <summary>Live processes that joined through a container (see <see cref="Processes.ProcessRecord.ViaContainer"/>).</summary>
    public int LiveContainerProcesses { get; internal set; }

    /// <summary>The containers the job asked a runtime for, in order; bounded, overflow counted.</summary>
    public IReadOnlyList<Containers.ContainerRecord> Containers => _containers;

    public long ContainersNotListed { get; internal set; }

    private readonly List<Containers.ContainerRecord> _containers = [];

    internal void AddContainer(Containers.ContainerRecord container)
    {
        if (_containers.Count < MaxExecutables)
        {
            _containers.Add(container);
        }
        else
        {
            ContainersNotListed++;
        }
    }

    /// <summary>When the job was killed, by which finding, and how; null while it was not.</summary>
    public DateTimeOffset? KilledAt { get; internal set; }

    /// <summary>Set just before the enforcer is asked to kill the job; read by other threads (the cgroup
    /// placement stops moving the job's processes: a process moved in after cgroup.kill would live on).</summary>
    public bool KillRequested
    {
        get => Volatile.Read(ref _killRequested);
        internal set => Volatile.Write(ref _killRequested, value);
    }

    private bool _killRequested;

    public string? KilledBy { get; internal set; }

    public string? KillMethod { get; internal set; }

    /// <summary>The kill's signal went out and the wait for the job's processes to exit has not reported back yet.</summary>
    public bool KillExitPending { get; internal set; }

    /// <summary>When the wait for the killed job's processes ended (all gone, or given up on: see <see cref="KillMethod"/>).</summary>
    public DateTimeOffset? KillCompletedAt { get; internal set; }

    public long ProcessesStarted { get; internal set; }

    /// <summary>Distinct executables run, with exec counts; bounded, overflow counted in <see cref="ExecutablesDropped"/>.</summary>
    public IReadOnlyDictionary<string, int> Executables => _executables;

    public long ExecutablesDropped { get; private set; }

    public bool IsActive => EndedAt is null;

    internal void RecordExec(string exe)
    {
        if (exe.Length == 0)
        {
            return;
        }

        if (_executables.TryGetValue(exe, out var count))
        {
            _executables[exe] = count + 1;
        }
        else if (_executables.Count < MaxExecutables)
        {
            _executables[exe] = 1;
        }
        else
        {
            ExecutablesDropped++;
        }
    }
}
