using System.Collections.Concurrent;
using System.Threading.Channels;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Tests.Support;

/// <summary>A started <see cref="ProcessSensor"/> whose events are collected in order.</summary>
internal sealed class SensorHarness : IDisposable
{
    private readonly Channel<SensorEvent> _channel = Channel.CreateUnbounded<SensorEvent>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly ConcurrentQueue<SensorEvent> _events = new();
    private readonly Task _pump;

    public SensorHarness(ProcessSensorOptions? options = null, ProcFs? procFs = null)
    {
        Root.Require();
        Sensor = new ProcessSensor(_channel.Writer, options: options, procFs: procFs);
        Sensor.Start();
        _pump = Task.Run(async () =>
        {
            await foreach (var evt in _channel.Reader.ReadAllAsync())
            {
                _events.Enqueue(evt);
            }
        });
        WaitFor(e => e is ProcessRescanned { Reason: "start" }, TimeSpan.FromSeconds(30));
    }

    public ProcessSensor Sensor { get; }

    public IReadOnlyList<SensorEvent> Events => [.. _events];

    public T WaitFor<T>(Func<T, bool> predicate, TimeSpan? timeout = null) where T : SensorEvent =>
        (T)WaitFor(e => e is T t && predicate(t), timeout ?? TimeSpan.FromSeconds(20));

    /// <summary>The first event from index <paramref name="from"/> on that matches.</summary>
    public SensorEvent WaitFor(Func<SensorEvent, bool> predicate, TimeSpan timeout, int from = 0)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Sensor.Fault is { } fault)
            {
                throw new InvalidOperationException("The sensor faulted.", fault);
            }

            if (_events.Skip(from).FirstOrDefault(predicate) is { } found)
            {
                return found;
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"No matching event within {timeout}; {_events.Count} events seen.");
    }

    /// <summary>Waits until the sensor has been quiet (no new event) for <paramref name="quiet"/>.</summary>
    public void WaitForQuiet(TimeSpan quiet, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var count = -1L;
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            var now = Sensor.Counters.EventsReceived;
            if (now != count)
            {
                count = now;
                since = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - since >= quiet)
            {
                return;
            }

            Thread.Sleep(50);
        }
    }

    public void Dispose()
    {
        Sensor.Dispose();
        _channel.Writer.TryComplete();
        _pump.Wait(TimeSpan.FromSeconds(10));
    }
}
