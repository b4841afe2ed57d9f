using BuildSentry.Linux.Interop;
using SharpPcap;
using SharpPcap.LibPcap;

namespace BuildSentry.Linux.Capture;

internal sealed class LivePacketSource : IPacketSource
{
    private readonly List<LibPcapLiveDevice> _devices = [];
    private readonly object _gate = new();

    public LivePacketSource(CaptureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var filter = CaptureFilter.Build(options.Filter);
        var all = LibPcapLiveDeviceList.New();
        try
        {
            foreach (var name in options.Interfaces)
            {
                var device = all.FirstOrDefault(d => d.Name == name)
                    ?? throw new ArgumentException($"No capture device named '{name}'.", nameof(options));
                Open(device, options);
                _devices.Add(device);
                device.Filter = filter;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The name of the threads that read packets (the kernel shows its first 15 characters).</summary>
    public const string CaptureThreadName = "buildsentry-capture";

    public void Run(FrameHandler handler, CancellationToken cancellationToken, Action? idle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_devices.Count == 1)
        {
            DeviceReader.Read(_devices[0], handler, _gate, cancellationToken, idle);
            return;
        }
        // One thread per device. A new thread inherits its creator's nice value: NetworkSensor's capture thread
        // raises itself before it calls Run, so every device's reader runs at its priority.
        var readers = _devices
            .Select(d => Task.Factory.StartNew(
                () =>
                {
                    Thread.CurrentThread.Name = CaptureThreadName;
                    DeviceReader.Read(d, handler, _gate, cancellationToken, idle);
                },
                cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        Task.WaitAll(readers, CancellationToken.None);
    }

    public IReadOnlyList<PcapCounters> ReadCounters() =>
        _devices.Select(d =>
        {
            var stats = PcapStats.Read(d.Handle);
            return new PcapCounters(d.Name, stats.Received, stats.Dropped, stats.InterfaceDropped);
        }).ToList();

    public void Dispose()
    {
        foreach (var device in _devices)
            device.Dispose();
        _devices.Clear();
    }

    private static void Open(LibPcapLiveDevice device, CaptureOptions options)
    {
        var configuration = new DeviceConfiguration
        {
            Mode = DeviceModes.None,
            Snaplen = options.SnapLength,
            BufferSize = options.BufferSize,
            Immediate = true,
            ReadTimeout = (int)options.ReadTimeout.TotalMilliseconds,
        };
        string? failure = null;
        configuration.ConfigurationFailed += (_, e) => failure ??= $"{e.Property}: {e.Error}";
        device.Open(configuration);
        if (failure is not null)
        {
            device.Dispose();
            throw new InvalidOperationException($"Capture device {device.Name} refused its configuration ({failure}).");
        }
    }
}
