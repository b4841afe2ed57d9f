using BuildSentry.Core.Events;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Network;
using BuildSentry.Core.Tracing;
using BuildSentry.Linux.Attribution;

namespace BuildSentry.Daemon;

/// <summary>
/// The one way into the monitor. Every read or change of monitor state holds one lock: the process sensor and the
/// capture thread apply their events on their own threads (<see cref="ApplyInline"/>), everything else runs as
/// <see cref="LoopQueue"/> work on the loop thread (<see cref="RunLoop"/>). Network findings whose owner the
/// process sensor has not reported yet wait in an <see cref="OwnerWaitQueue"/>, in capture order.
/// </summary>
internal sealed class MonitorPipeline(LoopQueue queue, TimeProvider time)
{
    /// <summary>How long a network finding waits for the process sensor to report its owner at most.</summary>
    private static readonly TimeSpan OwnerWait = TimeSpan.FromMilliseconds(20);

    /// <summary>While findings wait, the loop looks again this often: the sensor may have caught up without another
    /// event to tell, and the longest wait must end on time.</summary>
    private static readonly TimeSpan AwaitingRecheck = TimeSpan.FromMilliseconds(2);

    /// <summary>The loop thread's name, as /proc/PID/task/TID/comm shows it.</summary>
    public const string LoopThreadName = "monitor-loop";

    private readonly Lock _gate = new();
    private string? _holder;
    private long _heldSince;
    private JobMonitor _monitor = null!;
    private OwnerWaitQueue _awaitingOwner = null!;
    private TraceWriter? _trace;
    private ITimer? _awaitingRecheck;
    private volatile int _awaitingCount;
    private bool _stopped;

    public LoopQueue Queue => queue;

    /// <summary>Job processes, newest first, for the capture thread's owner search; rebuilt on demand after a change.</summary>
    public JobPids JobPids { get; private set; } = new();

    /// <summary>Until when the process sensor has applied every event; asked only while a finding waits.</summary>
    public Func<DateTimeOffset> SensorCaughtUpUntil { get; set; } = () => DateTimeOffset.MinValue;

    /// <summary>Asks the process sensor to apply what the kernel holds now (a finding waits for its owner).</summary>
    public Action RequestSensorDrain { get; set; } = static () => { };

    /// <summary>Raised on the applying thread, under the lock, for every exec (the runner worker probe looks at them).</summary>
    public event Action<ProcessExecuted>? Executed;

    /// <summary>The monitor: for loop work, which runs under the lock; other threads use <see cref="Read{T}"/>.</summary>
    public JobMonitor Monitor => _monitor;

    public OwnerWaitQueue AwaitingOwner => _awaitingOwner;

    public void Start(JobMonitor monitor, TraceWriter? trace)
    {
        _monitor = monitor;
        _trace = trace;
        _awaitingOwner = new OwnerWaitQueue(monitor, Handle, OwnerWait);
        JobPids = new JobPids(PublishJobPids);
        _awaitingRecheck = time.CreateTimer(_ => queue.Post(() => ReleaseAwaiting()), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Runs <paramref name="read"/> under the lock, from any thread; <paramref name="argument"/> spares the
    /// sensors' hot paths a closure per call.</summary>
    public T Read<TArgument, T>(TArgument argument, Func<JobMonitor, TArgument, T> read)
    {
        lock (_gate)
        {
            var outer = Hold();
            try
            {
                return read(_monitor, argument);
            }
            finally
            {
                Release(outer);
            }
        }
    }

    /// <summary>
    /// Applies an event on the thread that read it, the process sensor's or the capture thread's; false once the loop
    /// has stopped. A violating packet reaches the enforcer without a hand-over to the loop thread (a futex wake and a
    /// wait for a core that a busy build may not give at once), at the capture thread's priority.
    /// </summary>
    public bool ApplyInline(SensorEvent e)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return false;
            }

            var outer = Hold();
            Admit(e);
            // A process event may bring the owner a waiting finding needs; a finding's own admission has looked.
            if (_awaitingOwner.Count > 0 && e is not NetworkObservation)
            {
                ReleaseAwaiting();
            }

            Release(outer);
            return true;
        }
    }

    /// <summary>Applies an event from loop work (already under the lock), through the owner wait like any other.</summary>
    public void ApplyOnLoop(SensorEvent e) => Admit(e);

    /// <summary>Applies a request's event at once: a control request's answer depends on it.</summary>
    public void ApplyNow(SensorEvent e) => Handle(e);

    /// <summary>The process sensor has applied every event the kernel sent until now.</summary>
    public void OnProcessSensorCaughtUp()
    {
        if (_awaitingCount > 0)
        {
            lock (_gate)
            {
                ReleaseAwaiting();
            }
        }
    }

    /// <summary>
    /// The loop, on a thread of its own that blocks for work, so that control requests, timers and owner-wait rechecks
    /// never wait for a thread-pool thread. Returns once <see cref="LoopQueue.Complete"/> was called and the queue drained.
    /// </summary>
    public void RunLoop(Action? beat = null)
    {
        Thread.CurrentThread.Name = LoopThreadName;
        using var wake = new ManualResetEventSlim(false, spinCount: 0);
        while (queue.WaitForWork(wake))
        {
            while (queue.TryTake(out var work))
            {
                lock (_gate)
                {
                    var outer = Hold();
                    work();
                    Release(outer);
                }
            }

            beat?.Invoke();
        }

        // Stopping: nothing can come any more; every ended job gets its report.
        lock (_gate)
        {
            _stopped = true;
            ReleaseAwaiting(all: true);
            _monitor.CompleteEndedJobs(DateTimeOffset.MaxValue);
        }

        _awaitingRecheck?.Dispose();
    }

    /// <summary>Which thread holds the monitor's lock and for how long, for a stalled sensor's alert; null when free.</summary>
    public string? DescribeHolder()
    {
        var holder = Volatile.Read(ref _holder);
        return holder is null ? null : $"{holder} for {time.GetElapsedTime(Interlocked.Read(ref _heldSince)).TotalMilliseconds:0} ms";
    }

    /// <summary>Notes the holder (the lock is reentrant: the outermost hold is the one that counts); returns the previous one.</summary>
    private string? Hold()
    {
        var outer = _holder;
        if (outer is null)
        {
            Interlocked.Exchange(ref _heldSince, time.GetTimestamp());
            Volatile.Write(ref _holder, Thread.CurrentThread.Name ?? $"thread {Environment.CurrentManagedThreadId}");
        }

        return outer;
    }

    private void Release(string? outer)
    {
        if (outer is null)
        {
            Volatile.Write(ref _holder, null);
        }
    }

    /// <summary>Loop work only.</summary>
    public void FlushTrace() => _trace?.Flush();

    /// <summary>Owner-wait rechecks that housekeeping makes on the loop (a timer may have been missed).</summary>
    public void ReleaseAwaiting(bool all = false)
    {
        _awaitingOwner.Release(time.GetUtcNow(), SensorCaughtUpUntil, all);
        AfterAwaitingChanged();
    }

    private void Admit(SensorEvent e)
    {
        _awaitingOwner.Admit(e, time.GetUtcNow(), SensorCaughtUpUntil);
        AfterAwaitingChanged();
    }

    private void AfterAwaitingChanged()
    {
        var count = _awaitingOwner.Count;
        if (count > 0 && _awaitingCount == 0)
        {
            RequestSensorDrain();
            _awaitingRecheck?.Change(AwaitingRecheck, AwaitingRecheck);
        }
        else if (count == 0 && _awaitingCount > 0)
        {
            _awaitingRecheck?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        _awaitingCount = count;
    }

    private void Handle(SensorEvent e)
    {
        _trace?.Write(e);
        _monitor.Apply(e);
        switch (e)
        {
            case ProcessExecuted exec:
                JobPids.Invalidate();
                Executed?.Invoke(exec);
                break;
            case ProcessForked or ProcessExited or ProcessRescanned or JobRegistrationRequested or JobEndRequested or RunnerWorkerDiscovered
                or ContainerActivity:
                JobPids.Invalidate();
                break;
        }
    }

    private int[] PublishJobPids()
    {
        lock (_gate)
        {
            var pids = new List<(ulong Start, int Pid)>();
            foreach (var process in _monitor.Tracker.Processes.Live)
            {
                if (_monitor.Tracker.JobOf(process) is { IsActive: true })
                {
                    pids.Add((process.Key.StartTime, process.Key.Pid));
                }
            }

            pids.Sort((a, b) => b.Start.CompareTo(a.Start));
            var result = pids.ConvertAll(p => p.Pid).ToArray();
            JobPids.Publish(result);
            return result;
        }
    }
}
