using System.Runtime.InteropServices;
using System.Threading.Channels;
using BuildSentry.Control;
using BuildSentry.Core.Alerts;
using BuildSentry.Core.Events;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Tracing;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Capture;
using BuildSentry.Linux.Cgroups;
using BuildSentry.Linux.Enforcement;
using BuildSentry.Linux.Network;
using BuildSentry.Linux.Processes;
using BuildSentry.Linux.Runners;
using BuildSentry.Linux.Syslog;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>
/// The daemon: the process sensor and the capture thread apply their events on their own threads (see
/// <see cref="InlineEventWriter"/>); control requests, reloads, the runner watcher and timers feed one channel
/// that one loop applies in order. Every read or change of monitor state holds <see cref="_gate"/>.
/// </summary>
internal sealed partial class MonitorService : BackgroundService, IDaemonControl
{
    // Synchronous continuations: a writer (a control request, a timer) wakes the blocked loop thread directly.
    private readonly Channel<SensorEvent> _channel = Channel.CreateUnbounded<SensorEvent>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly DaemonOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ISystemdNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly JobPids _jobPids;
    private readonly ProcFs _proc = new();
    private readonly List<SyslogSink> _syslogSinks = [];
    private readonly List<IDisposable> _resources = [];
    private ControlServer? _control;
    private JobMonitor _monitor = null!;
    private FanOutAlertSink _alerts = null!;
    private ProcessSensor? _processSensor;
    private NetworkSensor? _networkSensor;
    private KernelJobTags? _kernelTags;
    private CgroupPlacement? _placement;
    private TraceWriter? _trace;
    private string _profilesDirectory = "";

    public MonitorService(DaemonOptions options, ILoggerFactory loggers, ISystemdNotifier notifier, TimeProvider time)
    {
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger<MonitorService>();
        _notifier = notifier;
        _time = time;
        _jobPids = new JobPids(PublishJobPids);
    }

    private Core.Profiles.ProfileSet LoadProfilesOrThrow()
    {
        var (profiles, problems, directory) = ProfileSource.Load(_options.Configuration);
        _profilesDirectory = directory;
        foreach (var problem in problems)
        {
            LogProfileProblem(problem.ToString());
        }

        return profiles ?? throw new InvalidOperationException($"the profiles in {directory} are invalid ({problems.Count} problem(s)); see the log");
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var configuration = _options.Configuration;
        var profiles = LoadProfilesOrThrow();

        // The control socket first: a second daemon fails here, before it touches cgroups or sensors.
        StartControl();
        var sinks = new List<IAlertSink> { new LogAlertSink(_loggers.CreateLogger<LogAlertSink>()) };
        foreach (var target in configuration.Alerts.Targets)
        {
            var sink = SinkFactory.Create(target, configuration.HostName, _loggers, _time);
            _syslogSinks.Add(sink);
            sinks.Add(sink);
        }

        _alerts = new FanOutAlertSink(sinks);
        var cgroups = configuration.JobCgroups ? JobCgroups.Detect() : new JobCgroups(null);
        var mount = configuration.JobCgroups ? CgroupMount.FindV2() : null;
        var slots = mount is null ? null : StartKernelTags(mount);
        var placement = new CgroupPlacement(cgroups, _loggers.CreateLogger<CgroupPlacement>(), slots: slots);
        _placement = placement;
        _resources.Add(placement);
        if (mount is not null)
        {
            placement.RemoveLeftovers(mount);
        }

        var monitorOptions = Configuration.MonitorSettings.From(configuration);
        KillPathWarmup.Run(configuration.HostName);
        _monitor = new JobMonitor(profiles, monitorOptions, new JobEnforcer(_loggers.CreateLogger<JobEnforcer>()), _alerts, placement,
            new ReportWriter(configuration.ReportsDir, _loggers.CreateLogger<ReportWriter>()));
        _awaitingOwner = new OwnerWaitQueue(_monitor, Handle, OwnerWait);
        _sensorCaughtUpUntil = SensorCaughtUpUntil;
        if (configuration.TraceFile is { } traceFile)
        {
            _trace = new TraceWriter(new FileStream(traceFile, FileMode.Append, FileAccess.Write, FileShare.Read));
            _resources.Add(_trace);
        }

        _processSensor = new ProcessSensor(new InlineEventWriter(ApplyInline), _time, new ProcessSensorOptions { ParentJobSettled = IsParentJobSettled, CaughtUp = OnProcessSensorCaughtUp });
        _processSensor.Start();
        var diagnostics = new RunnerDiagnosticsWatcher(_channel.Writer, _time);
        diagnostics.Start();
        _resources.Add(diagnostics);
        StartCapture();
        if (Linux.Interop.SignalDisposition.UnignoreInherited(Tmds.Linux.LibC.SIGHUP))
        {
            LogSighupUnignored();
        }

        _resources.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            Post(() => Reload("SIGHUP"));
        }));
        LogStarted(profiles.Profiles.Count, _profilesDirectory, configuration.DefaultMode.ToString().ToLowerInvariant());
        lock (_gate)
        {
            // The process sensor is already applying events on its thread.
            _monitor.RaiseDaemonAlert(_time.GetUtcNow(), AlertKinds.DaemonStarted, "BuildSentry started", AlertSeverity.Info,
                $"{profiles.Profiles.Count} profiles from {_profilesDirectory}; default mode {configuration.DefaultMode.ToString().ToLowerInvariant()}; capture {(_networkSensor is null ? "OFF" : "on")}");
        }
        await base.StartAsync(cancellationToken);
    }

    private void StartCapture()
    {
        var capture = _options.Configuration.Capture;
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
            _networkSensor = new NetworkSensor(new InlineEventWriter(ApplyInline), source, FlowOwnerResolvers.Create(), _jobPids, capture.DnsPorts, _time, _kernelTags);
            _networkSensor.Start();
        }
        catch (Exception ex) when (ex is DllNotFoundException or InvalidOperationException or PlatformNotSupportedException
                                       or SharpPcap.PcapException or TypeInitializationException)
        {
            // Process monitoring still works without capture; the SOC must know the network side is blind.
            LogCaptureFailed(ex.Message);
            _networkSensor = null;
            Post(() => _monitor.RaiseDaemonAlert(_time.GetUtcNow(), AlertKinds.CaptureDrops, "Packet capture unavailable",
                AlertSeverity.High, $"capture could not start: {ex.Message}; connections and DNS are not monitored"));
        }
    }

    /// <summary>Kernel attribution of flows to job cgroups; null (and said once) when it is off or cannot start.</summary>
    private KernelJobTags? StartKernelTags(string cgroupMount)
    {
        var capture = _options.Configuration.Capture;
        if (!capture.Enabled || !capture.KernelAttribution)
        {
            return null;
        }

        try
        {
            _kernelTags = KernelJobTags.Start(cgroupMount, capture.DnsPorts, error => LogKernelTagRule(error));
            _resources.Add(_kernelTags);
            return _kernelTags;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            LogKernelTagsUnavailable(ex.Message);
            return null;
        }
    }

    private void StartControl()
    {
        var control = _options.Configuration.Control;
        _control = new ControlServer(new ControlServerOptions { SocketPath = control.Socket, Group = control.Group }, this,
            _loggers.CreateLogger<ControlServer>());
        _control.Start();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        LogStopping();
        if (_control is not null)
        {
            await _control.DisposeAsync();
        }

        // Sensors stop first, so the loop drains a channel nobody writes to any more.
        _networkSensor?.Dispose();
        _processSensor?.Dispose();
        Post(() => _monitor.RaiseDaemonAlert(_time.GetUtcNow(), AlertKinds.DaemonStopped, "BuildSentry stopping", AlertSeverity.Warning,
            $"jobs active: {_monitor.ActiveJobs.Count}; they are no longer monitored"));
        _channel.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        foreach (var sink in _syslogSinks)
        {
            await sink.FlushAsync(TimeSpan.FromSeconds(2));
            await sink.DisposeAsync();
        }

        foreach (var resource in _resources)
        {
            resource.Dispose();
        }
    }

    /// <summary>Queues work onto the monitor loop.</summary>
    private bool Post(Action work) => _channel.Writer.TryWrite(new LoopWork(_time.GetUtcNow(), work));
}
