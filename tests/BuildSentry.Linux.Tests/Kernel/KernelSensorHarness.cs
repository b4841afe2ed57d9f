using System.Collections.Concurrent;
using System.Threading.Channels;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Kernel;
using BuildSentry.Linux.Tests.Support;

namespace BuildSentry.Linux.Tests.Kernel;

/// <summary>A started <see cref="KernelProcessSensor"/> whose events and records are collected in order.</summary>
internal sealed class KernelSensorHarness : IDisposable
{
    private readonly ConcurrentQueue<SensorEvent> _events = new();
    private readonly ConcurrentQueue<KernelRecord> _records = new();
    private readonly Task _pump;
    private readonly ChannelWriter<SensorEvent> _writer;
    private readonly Channel<SensorEvent> _channel;

    public KernelSensorHarness(KernelProcessSensorOptions? options = null, ChannelWriter<SensorEvent>? writer = null)
    {
        Root.Require();
        var channel = _channel = Channel.CreateUnbounded<SensorEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _writer = writer ?? channel.Writer;
        options = (options ?? new KernelProcessSensorOptions()) with { Recorded = _records.Enqueue };
        // Never a skip: where BPF is unavailable the test fails and says why.
        Sensor = KernelProcessSensor.TryCreate(_writer, out var reason, options: options)
            ?? throw new InvalidOperationException($"The kernel sensor is unavailable here: {reason}");
        Sensor.Start();
        _pump = Task.Run(async () =>
        {
            await foreach (var evt in channel.Reader.ReadAllAsync())
            {
                _events.Enqueue(evt);
            }
        });
        if (writer is null)
        {
            WaitFor<ProcessRescanned>(r => r.Reason == "start", TimeSpan.FromSeconds(30));
        }
    }

    public KernelProcessSensor Sensor { get; }

    public IReadOnlyList<SensorEvent> Events => [.. _events];

    public IReadOnlyList<KernelRecord> Records => [.. _records];

    public T WaitFor<T>(Func<T, bool> predicate, TimeSpan? timeout = null) where T : SensorEvent
    {
        Eventually(() => _events.OfType<T>().Any(predicate), timeout ?? TimeSpan.FromSeconds(20), typeof(T).Name);
        return _events.OfType<T>().First(predicate);
    }

    public KernelRecord WaitForRecord(Func<KernelRecord, bool> predicate, TimeSpan? timeout = null)
    {
        Eventually(() => _records.Any(predicate), timeout ?? TimeSpan.FromSeconds(20), "record");
        return _records.First(predicate);
    }

    public void Eventually(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (Sensor.Fault is { } fault)
            {
                throw new InvalidOperationException("The sensor faulted.", fault);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No {what} within {timeout}; {_events.Count} events, {_records.Count} records seen.");
            }

            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        Sensor.Dispose();
        _writer.TryComplete();
        _channel.Writer.TryComplete();
        _pump.Wait(TimeSpan.FromSeconds(10));
    }
}
