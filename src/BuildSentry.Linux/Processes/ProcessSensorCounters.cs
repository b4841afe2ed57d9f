namespace BuildSentry.Linux.Processes;

/// <param name="EventsReceived">Proc connector events read (threads and event types the sensor ignores included).</param>
/// <param name="EventsLost">Events known lost: the sum of the gaps in the kernel's per-CPU sequence numbers.</param>
/// <param name="Overruns">Times the socket buffer overflowed (recv failed with ENOBUFS).</param>
/// <param name="Rescans">Full /proc scans sent, the start scan included.</param>
/// <param name="ExecsUnread">Execs whose program could not be read: the process had exited (or its pid was
/// reused) before the sensor read its /proc entry. Such a process is reported without program, arguments and
/// working directory. A rising count means the sensor reads too late (a busy machine, a starved daemon).</param>
public readonly record struct ProcessSensorCounters(long EventsReceived, long EventsLost, long Overruns, long Rescans, long ExecsUnread);
