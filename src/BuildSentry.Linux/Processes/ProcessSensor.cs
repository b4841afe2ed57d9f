using System.Threading.Channels;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Processes;

/// <summary>
/// Turns the kernel's proc connector into <see cref="SensorEvent"/>s on a dedicated thread: forks, execs,
/// exits, comm changes and ptrace attaches of processes (threads are dropped), plus a full /proc scan at
/// start and after any loss. Needs CAP_NET_ADMIN.
/// </summary>
public sealed partial class ProcessSensor : IProcessSensor
{
    public const string SensorName = "proc-connector";

    public string Name => SensorName;

    /// <summary>The reason of the reader's first event, the rescan at start (<see cref="ProcessRescanned.Reason"/>).</summary>
    public const string StartRescan = "start";

    private readonly ChannelWriter<SensorEvent> _writer;
    private readonly TimeProvider _time;
    private readonly ProcessSensorOptions _options;
    private readonly ProcFs _procFs;
    private readonly ReaderThread _reader;
    private ProcConnectorSocket? _socket;
    private long _received;
    private long _lost;
    private long _overruns;
    private long _rescans;
    private long _execsUnread;

    // Odd while the reader waits with nothing queued: see IsCaughtUp. The wall clock when it last found the
    // socket empty: see CaughtUpUntil.
    private long _waitEpoch;
    private long _drainedTicks;
    private readonly Action _drained;
    private readonly Action _woke;

    public ProcessSensor(
        ChannelWriter<SensorEvent> writer, TimeProvider? time = null, ProcessSensorOptions? options = null,
        ProcFs? procFs = null)
    {
        _writer = writer;
        _reader = new ReaderThread(SensorName, Run);
        _time = time ?? TimeProvider.System;
        _options = options ?? new ProcessSensorOptions();
        _procFs = procFs ?? new ProcFs();
        _drained = () =>
        {
            Volatile.Write(ref _drainedTicks, _time.GetUtcNow().UtcTicks);
            _options.CaughtUp?.Invoke();
            Interlocked.Increment(ref _waitEpoch);
        };
        _woke = () => Interlocked.Increment(ref _waitEpoch);
    }

    /// <summary>
    /// Whether every process event the kernel sent until now has been written: the reader is waiting and
    /// nothing is queued. The wait is seen unchanged before and after the queue check, so a datagram the
    /// reader took meanwhile (written or not yet) makes the answer false. Any thread may ask.
    /// </summary>
    public bool IsCaughtUp()
    {
        var epoch = Interlocked.Read(ref _waitEpoch);
        return (epoch & 1) == 1 && _socket is { } socket && !socket.HasPending() && Interlocked.Read(ref _waitEpoch) == epoch;
    }

    /// <summary>Until when every process event has been written: now while the reader is caught up, else
    /// when it last found its socket empty. Any thread may ask.</summary>
    public DateTimeOffset CaughtUpUntil() =>
        IsCaughtUp() ? _time.GetUtcNow() : new DateTimeOffset(Volatile.Read(ref _drainedTicks), TimeSpan.Zero);

    public ProcessSensorCounters Counters => new(
        Interlocked.Read(ref _received), Interlocked.Read(ref _lost),
        Interlocked.Read(ref _overruns), Interlocked.Read(ref _rescans), Interlocked.Read(ref _execsUnread));

    /// <summary>Whether the kernel holds process events the reader has not taken yet. Any thread may ask.</summary>
    public bool KernelHasPending => _socket is { } socket && socket.HasPending();

    /// <summary>The socket's receive buffer as granted by the kernel, once started.</summary>
    public int ReceiveBufferBytes => _socket?.ReceiveBufferBytes ?? 0;

    /// <summary>Set when the reader stopped on an unexpected error; the sensor is then blind.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>The reader's kernel thread id, for its CPU time and state in /proc/self/task.</summary>
    public int ReaderThreadId { get; private set; }

    /// <summary>Grows with everything the reader does (each wait, datagram and event): a reader whose heartbeat stands
    /// still while <see cref="KernelHasPending"/> is stuck. Any thread may read it.</summary>
    public long Heartbeat => Interlocked.Read(ref _heartbeat);

    private long _heartbeat;

    /// <summary>How the kernel schedules the reader; less than <see cref="ThreadScheduling.NiceAndShortSlice"/> means
    /// more short-lived processes read after they exited (<see cref="ProcessSensorCounters.ExecsUnread"/>).</summary>
    public ThreadScheduling ReaderScheduling { get; private set; }

    /// <summary>
    /// Subscribes, then starts the reader, whose first event is the "start" rescan. Subscribing first
    /// means a process started during the scan is in the scan, in the events after it, or in both.
    /// </summary>
    public void Start() => _reader.Start(this, () => _socket = ProcConnectorSocket.Open(_options.ReceiveBufferBytes));

    /// <summary>The proc connector wakes the reader for each event: nothing waits for an interval.</summary>
    public void RequestDrain()
    {
    }

    public void Dispose()
    {
        if (_reader.Stop())
        {
            _socket?.Dispose();
        }
    }

    private void Run()
    {
        ReaderThreadId = ThreadId.Current();
        ReaderScheduling = ThreadNice.Raise(ThreadNice.ProcessSensorThread);
        var timeoutMs = (int)_options.PollInterval.TotalMilliseconds;
        var buffer = new byte[8192];
        try
        {
            Rescan(StartRescan);
            while (!_reader.IsStopping)
            {
                Interlocked.Increment(ref _heartbeat);
                var status = _socket!.Receive(buffer, timeoutMs, out var length, _drained, _woke);
                if (status == ReceiveStatus.Received)
                {
                    HandleDatagram(buffer.AsSpan(0, length));
                }
                else if (status == ReceiveStatus.Overrun)
                {
                    Interlocked.Increment(ref _overruns);
                    _overrunPending = true;
                }

                ReportLossIfDue(quiet: status == ReceiveStatus.TimedOut);
            }
        }
        catch (OperationCanceledException) when (_reader.IsStopping)
        {
        }
        catch (ChannelClosedException)
        {
        }
        catch (Exception e)
        {
            Fault = e;
        }
    }


    private void Write(SensorEvent evt)
    {
        if (!_writer.TryWrite(evt))
        {
            // A full channel holds the reader back; the kernel then drops messages, which are counted as loss.
            _writer.WriteAsync(evt, _reader.Token).AsTask().GetAwaiter().GetResult();
        }
    }
}
