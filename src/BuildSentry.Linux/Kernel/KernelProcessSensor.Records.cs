using BuildSentry.Core.Events;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Kernel;

public sealed partial class KernelProcessSensor
{
    private void OnRecord(ReadOnlySpan<byte> data)
    {
        Interlocked.Increment(ref _received);
        if (KernelConnectionParser.IsConnection(data))
        {
            OnConnection(data);
            return;
        }

        if (KernelConnectionParser.IsNamespaceRequest(data, out var slot, out var tgid, out var inode))
        {
            _options.ForwarderWanted?.Invoke(slot, tgid, inode);
            return;
        }

        if (!KernelRecordParser.TryParse(data, out var record))
        {
            CountMalformed();
            return;
        }

        _options.Recorded?.Invoke(record);
        Write(Translate(record));
    }

    /// <summary>The programs and the parser disagree: a build mismatch, never a process's doing. Counted as loss, and
    /// the scan repairs the processes (not the connections).</summary>
    private void CountMalformed()
    {
        Interlocked.Increment(ref _lost);
        _pendingLost++;
        _pendingReason ??= "malformed-record";
    }

    private SensorEvent Translate(in KernelRecord record)
    {
        var time = KernelTime.ToWallClock(_time, record.TimeNs);
        return record.Kind switch
        {
            KernelRecordKind.Fork => new ProcessForked(time, record.Process, record.Parent) { KernelTimeNs = record.TimeNs, KernelJobSlot = record.JobSlot },
            KernelRecordKind.Exec => new ProcessExecuted(time, record.Process, Details(record)),
            KernelRecordKind.Comm => new ProcessCommChanged(time, record.Process, record.Comm),
            _ => new ProcessExited(time, record.Process, WaitStatus.ToExitCode(record.WaitStatus)),
        };
    }

    /// <summary>
    /// The program and arguments as the exec had them, which a process cannot change or hide by exiting at once; the
    /// working directory, the file the program's path resolved to and the job markers from /proc, where the process is
    /// still there to read.
    /// </summary>
    private ProcessDetails Details(in KernelRecord record)
    {
        if (record.Filename.Length == 0)
        {
            Interlocked.Increment(ref _execsUnread);
        }

        var markers = _options.ParentJobSettled?.Invoke(record.Parent.Pid) != true;
        var (cwd, exe, found) = _procFs.ReadContext(record.Process.Pid, record.Process.StartTime, markers);
        return new ProcessDetails(record.Filename, record.Argv, cwd, record.Uid, record.Gid, record.Comm, found)
        {
            OtherPath = exe.Length == 0 || exe == record.Filename ? null : exe,
        };
    }
}
