using BuildSentry.Core.Events;

namespace BuildSentry.Linux.Kernel;

public sealed partial class KernelProcessSensor
{
    private long _pendingLost;
    private string? _pendingReason;
    private KernelCounters _counted;
    private long _lastRescanTicks;
    private long _lastCountersRead;

    /// <summary>How often the loss counters are read: a loss is reported this much later at most.</summary>
    private static readonly TimeSpan CountersInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Reads the programs' loss counters and reports what is new: records the ring had no room for, then a rescan to
    /// reconcile, at most once per <see cref="KernelProcessSensorOptions.MinRescanInterval"/> while loss keeps coming.
    /// A job member whose child could not join the full membership map is reported too: that child is outside its job.
    /// So is a member's connection that found the ring full, at once: no rescan finds it again.
    /// </summary>
    private void ReportLossIfDue()
    {
        // A per-CPU map read costs a syscall and a copy per CPU: every drain, it was a twentieth of the reader's time.
        if (_lastCountersRead != 0 && _time.GetElapsedTime(_lastCountersRead) < CountersInterval)
        {
            return;
        }

        _lastCountersRead = _time.GetTimestamp();
        var counters = KernelCounters.Read(_programs.CountersFd);
        var ringFull = (long)(counters.RingFull - _counted.RingFull);
        var jobsFull = (long)(counters.JobsFull - _counted.JobsFull);
        var connectsLost = (long)(counters.ConnectsLost - _counted.ConnectsLost);
        _counted = counters;
        if (ringFull > 0)
        {
            Interlocked.Add(ref _lost, ringFull);
            Interlocked.Increment(ref _overruns);
            _pendingLost += ringFull;
            _pendingReason = "ring-full";
        }

        if (jobsFull > 0)
        {
            Write(new SensorLoss(_time.GetUtcNow(), SensorName, jobsFull, "job-map-full"));
        }

        if (connectsLost > 0)
        {
            Interlocked.Add(ref _lost, connectsLost);
            Write(new SensorLoss(_time.GetUtcNow(), SensorName, connectsLost, "connection-ring-full"));
        }

        if (_pendingLost == 0 || _time.GetElapsedTime(_lastRescanTicks) < _options.MinRescanInterval)
        {
            return;
        }

        Write(new SensorLoss(_time.GetUtcNow(), SensorName, _pendingLost, _pendingReason ?? "ring-full"));
        _pendingLost = 0;
        _pendingReason = null;
        Rescan("loss");
    }

    private void Rescan(string reason)
    {
        var snapshots = _procFs.Scan();
        _lastRescanTicks = _time.GetTimestamp();
        Interlocked.Increment(ref _rescans);
        Write(new ProcessRescanned(_time.GetUtcNow(), reason, snapshots));
    }
}
