using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Kernel;

public sealed partial class KernelProcessSensor
{
    // An exception cannot unwind through libbpf's frames: the callback keeps it here and stops the drain.
    private Exception? _callbackError;

    /// <summary>Whether every record the kernel has written is written as an event: the reader waits between drains
    /// and the ring is empty, seen unchanged before and after the check. Any thread may ask.</summary>
    public bool IsCaughtUp()
    {
        var epoch = Interlocked.Read(ref _waitEpoch);
        return (epoch & 1) == 1 && _positions.Pending == 0 && Interlocked.Read(ref _waitEpoch) == epoch;
    }

    public DateTimeOffset CaughtUpUntil() =>
        IsCaughtUp() ? _time.GetUtcNow() : new DateTimeOffset(Volatile.Read(ref _drainedTicks), TimeSpan.Zero);

    private unsafe void Run()
    {
        ReaderThreadId = ThreadId.Current();
        ReaderScheduling = ThreadNice.Raise(ThreadNice.ProcessSensorThread);
        var self = GCHandle.Alloc(this);
        var ring = LibbpfRingBuffer.New(_programs.EventsFd, &OnSample, GCHandle.ToIntPtr(self), 0);
        var timeoutMs = Math.Max(1, (int)_options.DrainInterval.TotalMilliseconds);
        try
        {
            if (ring == 0)
            {
                throw new InvalidOperationException($"ring_buffer__new failed: errno {Marshal.GetLastPInvokeError()}");
            }

            using var wait = new DrainWait(LibbpfRingBuffer.EpollFd(ring));
            Volatile.Write(ref _drainWait, wait);
            Rescan(ProcessSensor.StartRescan);
            while (!_reader.IsStopping)
            {
                Interlocked.Increment(ref _heartbeat);
                Drain(ring);
                WaitForRecords(wait, timeoutMs);
                ReportLossIfDue();
            }
        }
        catch (OperationCanceledException) when (_reader.IsStopping)
        {
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
        }
        catch (Exception e)
        {
            Fault = e;
        }
        finally
        {
            if (ring != 0)
            {
                LibbpfRingBuffer.Free(ring);
            }

            self.Free();
        }
    }

    /// <summary>
    /// Consumes every committed record. Once the reader has passed where the programs stood when it began, every
    /// event from before then is written, however many came since: on a busy host the ring is seldom empty.
    /// </summary>
    private void Drain(nint ring)
    {
        var began = _time.GetUtcNow();
        var producer = _positions.Producer;
        var consumed = LibbpfRingBuffer.Consume(ring);
        if (_callbackError is { } error)
        {
            _callbackError = null;
            throw error;
        }

        if (consumed < 0)
        {
            throw new InvalidOperationException($"ring_buffer__consume failed: errno {-consumed}");
        }

        if (_positions.Consumer >= producer)
        {
            Volatile.Write(ref _drainedTicks, began.UtcTicks);
            _options.CaughtUp?.Invoke();
        }
    }

    /// <summary>
    /// Sleeps until the next drain, until a record finds enough pending to wake the reader early, or until another
    /// thread asks for a drain now (<see cref="RequestDrain"/>). The next Drain consumes what is there.
    /// </summary>
    private void WaitForRecords(DrainWait wait, int timeoutMs)
    {
        Interlocked.Increment(ref _waitEpoch);
        try
        {
            wait.Wait(timeoutMs);
        }
        finally
        {
            Interlocked.Increment(ref _waitEpoch);
        }
    }

    /// <summary>
    /// Drains now rather than at the next interval: a finding is waiting for its owner's fork and exec, or a control
    /// request for the events before it. Any thread may ask; a no-op before the reader runs.
    /// </summary>
    public void RequestDrain() => Volatile.Read(ref _drainWait)?.Wake();

    private DrainWait? _drainWait;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe int OnSample(nint context, nint data, nuint size)
    {
        var sensor = (KernelProcessSensor)GCHandle.FromIntPtr(context).Target!;
        try
        {
            Interlocked.Increment(ref sensor._heartbeat);
            sensor.OnRecord(new ReadOnlySpan<byte>((void*)data, (int)Math.Min(size, int.MaxValue)));
            return 0;
        }
        catch (Exception e)
        {
            sensor._callbackError = e;
            return -1;
        }
    }

}
