using BuildSentry.Core.Events;
using BuildSentry.Core.Monitoring;
using BuildSentry.Linux.Processes;
using BuildSentry.Linux.Runners;
using Microsoft.Extensions.Hosting.Systemd;

namespace BuildSentry.Daemon;

internal sealed partial class MonitorService
{
    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromSeconds(1);
    /// <summary>How long a network finding waits for the process sensor to report its owner at most.</summary>
    private static readonly TimeSpan OwnerWait = TimeSpan.FromMilliseconds(20);

    private static readonly TimeSpan AwaitingRecheck = TimeSpan.FromMilliseconds(2);

    private OwnerWaitQueue _awaitingOwner = null!;
    private Func<DateTimeOffset> _sensorCaughtUpUntil = null!;
    private ITimer? _awaitingRecheck;
    private volatile int _awaitingCount;
    private bool _stopped;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(RunLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// The monitor loop, on a thread of its own that blocks for work: control requests, timers, the owner-wait
    /// rechecks, without waiting for a thread-pool thread, which under load can take milliseconds.
    /// Not cancelled by the stopping token: StopAsync completes the channel and the loop drains it first.
    /// </summary>
    private void RunLoop()
    {
        using var housekeeping = _time.CreateTimer(_ => Post(Housekeeping), null, HousekeepingInterval, WatchdogInterval() ?? HousekeepingInterval);
        using var recheck = _awaitingRecheck = _time.CreateTimer(_ => Post(() => ReleaseAwaiting()), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var reader = _channel.Reader;
        using var wake = new ManualResetEventSlim(false, spinCount: 0);
        while (WaitToRead(reader, wake))
        {
            while (reader.TryRead(out var e))
            {
                lock (_gate)
                {
                    Admit(e);
                }
            }
        }

        // Stopping: the channel is drained, no finding can come any more; every ended job gets its report.
        lock (_gate)
        {
            _stopped = true;
            ReleaseAwaiting(all: true);
            _monitor.CompleteEndedJobs(DateTimeOffset.MaxValue);
        }
    }

    /// <summary>
    /// Applies an event on the thread that read it, the process sensor's or the capture thread's (see
    /// <see cref="InlineEventWriter"/>); false once the loop has stopped. A violating packet reaches the enforcer
    /// without a hand-over to the loop thread (a futex wake and a wait for a core that two busy cores may not give
    /// it at once), and at the capture thread's priority (nice -10).
    /// </summary>
    private bool ApplyInline(SensorEvent e)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return false;
            }

            Admit(e);
            // A process event may bring the owner a waiting finding needs; a finding's own admission has looked.
            if (_awaitingOwner.Count > 0 && !JobMonitor.IsNetworkFinding(e))
            {
                ReleaseAwaiting();
            }

            return true;
        }
    }

    /// <summary>The process sensor has applied every event the kernel sent until now.</summary>
    private void OnProcessSensorCaughtUp()
    {
        if (_awaitingCount > 0)
        {
            lock (_gate)
            {
                ReleaseAwaiting();
            }
        }
    }

    /// <summary>Until when the process sensor has applied every event (asked only while a finding waits).</summary>
    private DateTimeOffset SensorCaughtUpUntil() => _processSensor?.CaughtUpUntil() ?? DateTimeOffset.MinValue;

    private void Admit(SensorEvent e)
    {
        _awaitingOwner.Admit(e, _time.GetUtcNow(), _sensorCaughtUpUntil);
        AfterAwaitingChanged();
    }

    private void ReleaseAwaiting(bool all = false)
    {
        _awaitingOwner.Release(_time.GetUtcNow(), _sensorCaughtUpUntil, all);
        AfterAwaitingChanged();
    }

    /// <summary>While findings wait, the loop looks again every few milliseconds: the sensor may have caught
    /// up without another event to tell, and the longest wait must end on time.</summary>
    private void AfterAwaitingChanged()
    {
        var count = _awaitingOwner.Count;
        if (count > 0 && _awaitingCount == 0)
        {
            _awaitingRecheck?.Change(AwaitingRecheck, AwaitingRecheck);
        }
        else if (count == 0 && _awaitingCount > 0)
        {
            _awaitingRecheck?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        _awaitingCount = count;
    }

    /// <summary>
    /// Blocks until the channel has an event or is complete. Not Task.Wait: that spins (sched_yield) before it
    /// sleeps, and events arrive one at a time, so the loop spun after each (4 % of the daemon's CPU samples
    /// under a fork-heavy build). With synchronous continuations the writer's thread sets the event itself.
    /// </summary>
    private static bool WaitToRead(System.Threading.Channels.ChannelReader<SensorEvent> reader, ManualResetEventSlim wake)
    {
        var waiting = reader.WaitToReadAsync();
        if (!waiting.IsCompleted)
        {
            wake.Reset();
            var awaiter = waiting.GetAwaiter();
            awaiter.UnsafeOnCompleted(wake.Set);
            wake.Wait();
            return awaiter.GetResult();
        }

        return waiting.Result;
    }

    private void Handle(SensorEvent e)
    {
        if (e is LoopWork work)
        {
            work.Work();
            return;
        }

        _trace?.Write(e);
        _monitor.Apply(e);
        switch (e)
        {
            case ProcessRescanned { Reason: ProcessSensor.StartRescan }:
                _jobPids.Invalidate();
                // The reader set its scheduling before its first event, this one.
                if (_processSensor is { ReaderScheduling: not Linux.Interop.ThreadScheduling.NiceAndShortSlice } sensor)
                {
                    LogReaderNotRaised(SchedulingName(sensor.ReaderScheduling));
                }

                break;
            case ProcessExecuted exec:
                _jobPids.Invalidate();
                ProbeRunnerWorker(exec);
                break;
            case ProcessForked or ProcessExited or ProcessRescanned or JobRegistrationRequested or JobEndRequested or RunnerWorkerDiscovered:
                _jobPids.Invalidate();
                break;
        }
    }

    /// <summary>
    /// Job processes, newest first: the capture thread looks for socket owners among them before the rest.
    /// Built when the capture thread asks after a change, not after every process event.
    /// </summary>
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
            _jobPids.Publish(result);
            return result;
        }
    }

    /// <summary>
    /// Whether a new program's parent is in a job whose metadata is complete, so its environment need not be
    /// read (<see cref="ProcessSensorOptions.ParentJobSettled"/>). A job found by its markers has read them
    /// once; one from a worker or a hook still learns its repository and workflow from its steps' markers.
    /// </summary>
    private bool IsParentJobSettled(int ppid)
    {
        lock (_gate)
        {
            return _monitor.Tracker.Processes.TryGetLive(ppid, out var parent)
                   && _monitor.Tracker.JobOf(parent) is { IsActive: true } job
                   && (job.Detection == Core.Jobs.JobDetection.EnvironmentMarkers || job.Metadata.Repository is not null);
        }
    }

    private void Housekeeping()
    {
        var now = _time.GetUtcNow();
        ReleaseAwaiting();
        _monitor.Names.Sweep(now);
        _monitor.CompleteEndedJobs(now);
        _monitor.SendDueSummaries(now);
        _trace?.Flush();
        if (WatchdogInterval() is not null)
        {
            // Sent from the loop itself: a wedged loop stops the pings and systemd restarts the daemon.
            _notifier.Notify(new ServiceState("WATCHDOG=1"));
        }

        if (_processSensor?.Fault is { } fault)
        {
            LogSensorFault("process", fault.Message);
        }
    }

    /// <summary>Half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises; null when systemd set no watchdog.</summary>
    private static TimeSpan? WatchdogInterval() =>
        long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), out var usec) && usec > 0
            ? TimeSpan.FromTicks(Math.Max(usec * 10 / 2, TimeSpan.TicksPerMillisecond * 100))
            : null;

    /// <summary>
    /// A .NET runner worker sets its tracking id when it takes a job, after it starts: ask its
    /// diagnostics port a few times, off the loop, and feed the answer back as an event.
    /// </summary>
    private void ProbeRunnerWorker(ProcessExecuted exec)
    {
        if (RunnerWorkerProbe.Recognize(exec.Details) is null)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            for (var attempt = 0; attempt < 30; attempt++)
            {
                if (RunnerWorkerProbe.TryDiscover(exec.Process, exec.Details, _time) is { } discovered)
                {
                    _channel.Writer.TryWrite(discovered);
                    return;
                }

                await Task.Delay(TimeSpan.FromSeconds(2), _time);
            }
        });
    }
}
