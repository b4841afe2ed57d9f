using System.Text.Json;
using BuildSentry.Linux.Interop;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>
/// Whether the sensors still see: a reader thread that died, or one that has not taken anything for
/// <see cref="StallLimit"/> while the kernel holds events for it, leaves the daemon blind (<see cref="Check"/>).
/// </summary>
internal sealed partial class SensorHealth(Sensors sensors, MonitorPipeline pipeline, TimeProvider time, ILogger<SensorHealth> logger)
{
    /// <summary>Far beyond any pause a healthy reader takes (a rescan of a busy host's /proc takes well under a second).</summary>
    public static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(5);

    private readonly Progress _process = new();
    private readonly Progress _capture = new();
    private bool _schedulingChecked;

    /// <summary>Why the daemon is blind, or null while both sensors see. Called from one thread (the watchdog), about every second.</summary>
    public SensorFailure? Check()
    {
        var now = time.GetUtcNow();
        if (sensors.Process is { } process)
        {
            // The reader sets its scheduling before its first rescan.
            if (!_schedulingChecked && process.Counters.Rescans > 0)
            {
                _schedulingChecked = true;
                if (process.ReaderScheduling != ThreadScheduling.NiceAndShortSlice)
                {
                    LogReaderNotRaised(SchedulingName(process.ReaderScheduling));
                }
            }

            if (process.Fault is { } fault)
            {
                return new SensorFailure("process", $"the process sensor's reader died: {fault.GetType().Name}: {fault.Message}");
            }

            if (_process.StalledFor(process.Heartbeat, process.KernelHasPending, now) is { } stalled && stalled >= StallLimit)
            {
                return new SensorFailure("process",
                    $"the process sensor has read nothing for {stalled.TotalSeconds:0} s while the kernel holds events for it (reader {ThreadState(process.ReaderThreadId)}; monitor lock {pipeline.DescribeHolder() ?? "free"})");
            }
        }

        if (sensors.Network is { } network)
        {
            if (network.Fault is { } fault)
            {
                return new SensorFailure("capture", $"the packet capture thread died: {fault.GetType().Name}: {fault.Message}");
            }

            if (_capture.StalledFor(network.Counters.Frames, network.KernelReceived > _capture.LastBacklogMark, now) is { } stalled
                && stalled >= StallLimit)
            {
                return new SensorFailure("capture", $"the packet capture has read nothing for {stalled.TotalSeconds:0} s while the kernel passed it packets");
            }

            _capture.LastBacklogMark = network.KernelReceived;
        }

        return null;
    }

    /// <summary>The thread's scheduler state and where in the kernel it waits, for the alert: what a stall was.</summary>
    private static string ThreadState(int tid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
            var wchan = File.ReadAllText($"/proc/self/task/{tid}/wchan");
            return $"thread {tid} state {stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0]}, waiting in {(wchan.Length == 0 || wchan == "0" ? "user space" : wchan)}";
        }
        catch (IOException ex)
        {
            return $"thread {tid}: {ex.Message}";
        }
    }

    public static string SchedulingName(ThreadScheduling scheduling) => JsonNamingPolicy.CamelCase.ConvertName(scheduling.ToString());

    /// <summary>How long a reader has taken nothing while there was something to take.</summary>
    private sealed class Progress
    {
        private long _taken = -1;
        private DateTimeOffset? _stuckSince;

        public long LastBacklogMark { get; set; } = long.MaxValue;

        public TimeSpan? StalledFor(long taken, bool backlog, DateTimeOffset now)
        {
            if (taken != _taken || !backlog)
            {
                _taken = taken;
                _stuckSince = null;
                return null;
            }

            _stuckSince ??= now;
            return now - _stuckSince.Value;
        }
    }

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "The process sensor's reader runs with scheduling '{Scheduling}', not nice -10 with the shortest slice: the kernel or a seccomp filter refused (CAP_SYS_NICE, sched_setattr; see docs/operations.md). Under a build that keeps every core busy more short-lived processes are read after they exited and are reported without their program (status: processExecsUnread)")]
    private partial void LogReaderNotRaised(string scheduling);
}
