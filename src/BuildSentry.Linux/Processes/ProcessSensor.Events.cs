using BuildSentry.Core.Events;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Processes;

public sealed partial class ProcessSensor
{
    private readonly SequenceTracker _sequences = new();

    // Start times of live processes, so that exit, exec and comm events carry the identity the fork
    // announced even when /proc no longer has the pid. Bounded by the number of live processes; a rescan
    // rebuilds it, which also drops pids whose exit was lost.
    private readonly Dictionary<int, ulong> _startTimes = [];

    private void HandleDatagram(ReadOnlySpan<byte> datagram)
    {
        var parser = new ConnectorMessageParser(datagram);
        while (parser.TryRead(out var evt))
        {
            // PROC_EVENT_NONE is the kernel's reply to a (any listener's) subscription: no sequence, no fact.
            if (evt.Type == ProcEventType.None)
            {
                continue;
            }

            Interlocked.Increment(ref _received);
            Interlocked.Increment(ref _heartbeat);
            var gap = _sequences.Observe(evt.Cpu, evt.Seq);
            if (gap > 0)
            {
                Interlocked.Add(ref _lost, gap);
                _pendingLost += gap;
            }

            Translate(evt);
        }
    }

    private void Translate(in ConnectorEvent evt)
    {
        switch (evt.Type)
        {
            case ProcEventType.Fork when !evt.IsThread:
                var childStart = _procFs.TryReadStat(evt.Tgid, out var stat) ? stat.StartTime : EstimateStartTime(evt.TimestampNs);
                _startTimes[evt.Tgid] = childStart;
                Write(new ProcessForked(EventTime(evt.TimestampNs), new ProcessKey(evt.Tgid, childStart), KeyOf(evt.OtherTgid)) { KernelTimeNs = evt.TimestampNs });
                break;
            case ProcEventType.Exec:
                var process = KeyOf(evt.Tgid);
                var details = _procFs.ReadDetails(evt.Tgid, process.StartTime, _options.ParentJobSettled);
                if (details.ProgramUnread)
                {
                    Interlocked.Increment(ref _execsUnread);
                }

                Write(new ProcessExecuted(EventTime(evt.TimestampNs), process, details));
                break;
            case ProcEventType.Exit when !evt.IsThread:
                var exited = KeyOf(evt.Tgid);
                _startTimes.Remove(evt.Tgid);
                Write(new ProcessExited(EventTime(evt.TimestampNs), exited, WaitStatus.ToExitCode(evt.ExitCode)));
                break;
            case ProcEventType.Comm when !evt.IsThread:
                Write(new ProcessCommChanged(EventTime(evt.TimestampNs), KeyOf(evt.Tgid), evt.Comm ?? ""));
                break;
            case ProcEventType.Ptrace:
                var tracer = evt.OtherTgid == 0 ? default : KeyOf(evt.OtherTgid);
                Write(new ProcessPtraced(EventTime(evt.TimestampNs), KeyOf(evt.Tgid), tracer));
                break;
        }
    }

    private DateTimeOffset EventTime(ulong timestampNs) => KernelTime.ToWallClock(_time, timestampNs);

    /// <summary>The identity of a pid: remembered from its fork or the last scan, else read now; start
    /// time 0 when the process is already gone and was never seen (unknown, not guessed).</summary>
    private ProcessKey KeyOf(int pid)
    {
        if (!_startTimes.TryGetValue(pid, out var start) && _procFs.TryReadStat(pid, out var stat))
        {
            start = stat.StartTime;
            _startTimes[pid] = start;
        }

        return new ProcessKey(pid, start);
    }

    /// <summary>
    /// Start time in clock ticks for a child that exited before its /proc/PID/stat could be read. An
    /// estimate: the event's timestamp is CLOCK_MONOTONIC when the fork finished, while stat's start time
    /// is boot time when the task was created, so the two differ by the fork's own duration (usually
    /// within a tick) and by any time the machine spent suspended.
    /// </summary>
    private static ulong EstimateStartTime(ulong timestampNs) =>
        timestampNs / (ulong)(1_000_000_000 / SysConf.ClockTicksPerSecond);
}
