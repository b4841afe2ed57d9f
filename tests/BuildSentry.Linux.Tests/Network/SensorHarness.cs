using System.Collections.Concurrent;
using System.Threading.Channels;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Capture;
using BuildSentry.Linux.Network;

namespace BuildSentry.Linux.Tests.Network;

/// <summary>A live network sensor (on "any" unless told) with the production filter, collecting its events.</summary>
internal sealed class NetworkSensorHarness : IDisposable
{
    private readonly Channel<SensorEvent> _channel = Channel.CreateUnbounded<SensorEvent>();
    private readonly ConcurrentQueue<SensorEvent> _events = new();
    private readonly Task _pump;
    private readonly JobPids _jobPids = new();

    public NetworkSensorHarness(CaptureOptions? capture = null)
    {
        Sensor = new NetworkSensor(_channel.Writer, PacketSources.OpenLive(capture ?? new CaptureOptions()), FlowOwnerResolvers.Create(),
            _jobPids, [53]);
        Sensor.Start();
        _pump = Task.Run(async () =>
        {
            await foreach (var e in _channel.Reader.ReadAllAsync())
            {
                _events.Enqueue(e);
                Arrivals.Enqueue((e, DateTimeOffset.UtcNow));
            }
        });

        // libpcap needs a moment after activation before the ring buffer sees traffic.
        Thread.Sleep(300);
    }

    public NetworkSensor Sensor { get; }

    public ConcurrentQueue<(SensorEvent Event, DateTimeOffset At)> Arrivals { get; } = new();

    public IEnumerable<SensorEvent> Events => _events;

    /// <summary>Forgets what was seen so far (e.g. a warm-up), so the next wait matches only what follows.</summary>
    public void Clear()
    {
        _events.Clear();
        Arrivals.Clear();
    }

    /// <summary>Publishes a job's pid the way the daemon's monitor loop does once the process tracker has seen it fork.</summary>
    public void Prefer(int pid) => _jobPids.Publish([pid]);

    public T WaitFor<T>(Func<T, bool> match, TimeSpan? timeout = null) where T : SensorEvent
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            if (_events.OfType<T>().FirstOrDefault(match) is { } found)
            {
                return found;
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException(
            $"no {typeof(T).Name} matched; saw: {string.Join("; ", _events.Take(40).Select(e => e.ToString()))}");
    }

    public void Dispose()
    {
        Sensor.Dispose();
        _channel.Writer.TryComplete();
        _pump.Wait(TimeSpan.FromSeconds(5));
    }
}
