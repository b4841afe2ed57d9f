using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Processes;

/// <summary>
/// A source of process events (forks, execs, exits and /proc rescans) written to one channel: the eBPF sensor, or
/// the proc connector where BPF is unavailable. The daemon starts one and asks it the same questions either way.
/// </summary>
public interface IProcessSensor : IDisposable
{
    /// <summary>As <see cref="Core.Events.SensorLoss.Sensor"/> names it, and as the start alert and status say it.</summary>
    string Name { get; }

    ProcessSensorCounters Counters { get; }

    /// <summary>Set when the reader stopped on an unexpected error; the sensor is then blind.</summary>
    Exception? Fault { get; }

    /// <summary>Whether the kernel holds process events the reader has not taken yet. Any thread may ask.</summary>
    bool KernelHasPending { get; }

    /// <summary>Grows with everything the reader does: one that stands still while <see cref="KernelHasPending"/> is stuck.</summary>
    long Heartbeat { get; }

    /// <summary>The reader's kernel thread id (0 before it starts), for its state in /proc/self/task.</summary>
    int ReaderThreadId { get; }

    /// <summary>How the kernel schedules the reader thread.</summary>
    ThreadScheduling ReaderScheduling { get; }

    /// <summary>Asks the reader to apply what the kernel holds now rather than at its next interval (a sensor that reads
    /// as events come has nothing to do). Any thread may ask.</summary>
    void RequestDrain();

    /// <summary>Starts the reader, whose first event is the "start" rescan.</summary>
    void Start();

    /// <summary>Whether every process event the kernel has until now has been written. Any thread may ask.</summary>
    bool IsCaughtUp();

    /// <summary>Until when every process event has been written. Any thread may ask.</summary>
    DateTimeOffset CaughtUpUntil();
}
