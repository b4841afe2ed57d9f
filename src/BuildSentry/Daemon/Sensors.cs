using BuildSentry.Core.Alerts;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Capture;
using BuildSentry.Linux.Kernel;
using BuildSentry.Linux.Network;
using BuildSentry.Linux.Processes;
using BuildSentry.Linux.Runners;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>
/// The sensors: the process sensor and the packet capture apply their events on their own threads through the
/// pipeline; the runner watcher's few events go through the loop. Started after the monitor and stopped before it,
/// so the loop drains a queue nobody writes to any more.
/// </summary>
internal sealed partial class Sensors(DaemonOptions options, MonitorPipeline pipeline, ProfileStore profiles,
    JobPlacementSetup placement, TimeProvider time, ILogger<Sensors> logger) : IHostedService
{
    private RunnerDiagnosticsWatcher? _diagnostics;

    public IProcessSensor? Process { get; private set; }

    /// <summary>Why the proc connector runs instead of the eBPF sensor; null when the eBPF sensor runs.</summary>
    public string? FallbackReason { get; private set; }

    /// <summary>Null when capture is disabled or could not start.</summary>
    public NetworkSensor? Network { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        pipeline.SensorCaughtUpUntil = () => Process?.CaughtUpUntil() ?? DateTimeOffset.MinValue;
        Process = CreateProcessSensor();
        pipeline.RequestSensorDrain = Process.RequestDrain;
        Process.Start();
        _diagnostics = new RunnerDiagnosticsWatcher(new QueuedEventWriter(pipeline), time);
        _diagnostics.Start();
        StartCapture();
        var configuration = options.Configuration;
        var mode = configuration.DefaultMode.ToString().ToLowerInvariant();
        var count = profiles.Initial.Profiles.Count;
        var processSensor = FallbackReason is null ? Process.Name : $"{Process.Name} (eBPF unavailable: {FallbackReason})";
        LogStarted(count, profiles.Directory, mode, processSensor);
        pipeline.Queue.Post(() => pipeline.Monitor.RaiseDaemonAlert(time.GetUtcNow(), AlertKinds.DaemonStarted, "BuildSentry started",
            AlertSeverity.Info,
            $"{count} profiles from {profiles.Directory}; default mode {mode}; process sensor {processSensor}; capture {(Network is null ? "OFF" : "on")}"));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        LogStopping();
        Network?.Dispose();
        Process?.Dispose();
        _diagnostics?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The eBPF sensor where the kernel allows it (<c>process_sensor: auto</c>), else the proc connector, with the reason
    /// said in the start alert and in status. <c>ebpf</c> refuses to start without it.
    /// </summary>
    private IProcessSensor CreateProcessSensor()
    {
        var choice = options.Configuration.ProcessSensor;
        var writer = new InlineEventWriter(pipeline.ApplyInline);
        if (choice != ProcessSensor.SensorName)
        {
            var kernel = KernelProcessSensor.TryCreate(writer, out var reason, time, new KernelProcessSensorOptions
            {
                ParentJobSettled = IsParentJobSettled, CaughtUp = pipeline.OnProcessSensorCaughtUp, JobIdOfSlot = placement.Slots.JobOf,
            });
            if (kernel is not null)
            {
                placement.Slots.Attach(kernel);
                return kernel;
            }

            if (choice == KernelProcessSensor.SensorName)
            {
                throw new InvalidOperationException($"process_sensor is ebpf, and the eBPF sensor cannot run: {reason}");
            }

            FallbackReason = reason;
            LogFallback(reason ?? "unknown");
        }
        else
        {
            FallbackReason = "process_sensor: proc-connector in the configuration";
        }

        return new ProcessSensor(writer, time,
            new ProcessSensorOptions { ParentJobSettled = IsParentJobSettled, CaughtUp = pipeline.OnProcessSensorCaughtUp });
    }

    private void StartCapture()
    {
        var capture = options.Configuration.Capture;
        if (!capture.Enabled)
        {
            LogCaptureDisabled();
            return;
        }

        try
        {
            var source = PacketSources.OpenLive(new CaptureOptions
            {
                Interfaces = capture.Interfaces,
                Filter = new CaptureFilterOptions { DnsPorts = capture.DnsPorts },
            });
            // The eBPF sensor records which job member owns each socket it connects or sends on: one lookup by the
            // socket's cookie instead of a search of every /proc/PID/fd.
            var socketOwners = (Process as KernelProcessSensor)?.SocketOwners;
            Network = new NetworkSensor(new InlineEventWriter(pipeline.ApplyInline), source,
                FlowOwnerResolvers.Create(socketOwner: socketOwners is null ? null : socketOwners.Find), pipeline.JobPids,
                capture.DnsPorts, time, placement.KernelTags)
            {
                JobOfProcess = placement.Slots.JobOfProcess,
            };
            Network.Start();
        }
        catch (Exception ex) when (ex is DllNotFoundException or InvalidOperationException or PlatformNotSupportedException
                                       or SharpPcap.PcapException or TypeInitializationException)
        {
            // Process monitoring still works without capture; the SOC must know the network side is blind.
            LogCaptureFailed(ex.Message);
            Network = null;
            pipeline.Queue.Post(() => pipeline.Monitor.RaiseDaemonAlert(time.GetUtcNow(), AlertKinds.CaptureDrops, "Packet capture unavailable",
                AlertSeverity.High, $"capture could not start: {ex.Message}; connections and DNS are not monitored"));
        }
    }

    /// <summary>
    /// Whether a new program's parent is in a job whose metadata is complete, so its environment need not be read
    /// (<see cref="ProcessSensorOptions.ParentJobSettled"/>). A job found by its markers has read them once; one from a
    /// worker or a hook still learns its repository and workflow from its steps' markers.
    /// </summary>
    private bool IsParentJobSettled(int ppid) => pipeline.Read(ppid, static (monitor, ppid) =>
        monitor.Tracker.Processes.TryGetLive(ppid, out var parent)
        && monitor.Tracker.JobOf(parent) is { IsActive: true } job
        && (job.Detection == Core.Jobs.JobDetection.EnvironmentMarkers || job.Metadata.Repository is not null));

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "BuildSentry started: {Profiles} profiles from {Directory}, default mode {Mode}, process sensor {ProcessSensor}")]
    private partial void LogStarted(int profiles, string directory, string mode, string processSensor);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "The eBPF process sensor cannot run ({Reason}): process events come from the proc connector, which costs the build more CPU and can miss short-lived processes")]
    private partial void LogFallback(string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "BuildSentry stopping")]
    private partial void LogStopping();

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Packet capture is disabled in the configuration: connections and DNS are not monitored")]
    private partial void LogCaptureDisabled();

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Packet capture could not start: {Error}; connections and DNS are not monitored")]
    private partial void LogCaptureFailed(string error);
}
