using BuildSentry.Core.Events;

namespace BuildSentry.Linux.Processes;

public sealed partial class ProcessSensor
{
    private long _pendingLost;
    private bool _overrunPending;
    private long _lastRescanTicks;

    /// <summary>
    /// Reports loss and reconciles through a rescan: at once when the socket is quiet, otherwise at most
    /// once per <see cref="ProcessSensorOptions.MinRescanInterval"/>, so a storm yields a few rescans, not one
    /// per overflow. The loss count is a lower bound after ENOBUFS: a CPU whose counter jumped but which
    /// sent nothing since has not shown its gap yet (it will, in a later report).
    /// </summary>
    private void ReportLossIfDue(bool quiet)
    {
        if (_pendingLost == 0 && !_overrunPending)
        {
            return;
        }

        if (!quiet && _time.GetElapsedTime(_lastRescanTicks) < _options.MinRescanInterval)
        {
            return;
        }

        var reason = _overrunPending ? "enobufs" : "sequence-gap";
        Write(new SensorLoss(_time.GetUtcNow(), SensorName, Math.Max(_pendingLost, 1), reason));
        _pendingLost = 0;
        _overrunPending = false;
        Rescan("loss");
    }

    private void Rescan(string reason)
    {
        var snapshots = _procFs.Scan();
        _startTimes.Clear();
        foreach (var snapshot in snapshots)
        {
            _startTimes[snapshot.Process.Pid] = snapshot.Process.StartTime;
        }

        _lastRescanTicks = _time.GetTimestamp();
        Interlocked.Increment(ref _rescans);
        Write(new ProcessRescanned(_time.GetUtcNow(), reason, snapshots));
    }
}
