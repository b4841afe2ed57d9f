using BuildSentry.Core.Alerts;
using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Capture;
using BuildSentry.Linux.Dns;
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
    JobPlacementSetup placement, BuildSentry.Linux.Enforcement.JobEnforcer enforcer, TimeProvider time, ILoggerFactory loggers,
    ILogger<Sensors> logger) : IHostedService
{
    private RunnerDiagnosticsWatcher? _diagnostics;
    private NamespaceDns? _hostDns;
    private NamespaceForwarders? _namespaces;

    /// <summary>Docker's container events; null when <c>docker.socket</c> is empty.</summary>
    public BuildSentry.Linux.Containers.DockerWatcher? Docker { get; private set; }

    /// <summary>Prevent mode's DNS policy, where the eBPF sensor runs and the forwarder listens.</summary>
    public PreventModeDns? PreventDns { get; private set; }

    /// <summary>Why prevent mode cannot hold jobs in the kernel (they are killed at their first violation instead);
    /// null when it can.</summary>
    public string? PreventUnavailable { get; private set; }

    /// <summary>The forwarders (one per loopback address family) of the daemon's namespace and then of every job
    /// namespace that has one, for status.</summary>
    public IReadOnlyList<DnsForwarder> Forwarders =>
        _hostDns is null ? [] : [.. _hostDns.Forwarders, .. (_namespaces?.Open ?? []).SelectMany(n => n.Forwarders)];

    /// <summary>Job network namespaces where a forwarder listens, and requests for one that failed.</summary>
    public (int Open, long Failures) ForwarderNamespaces => (_namespaces?.Open.Count ?? 0, _namespaces?.Failures ?? 0);

    public IProcessSensor? Process { get; private set; }

    /// <summary>The kernel's stops at exec for a namespace's forwarder; null without the eBPF sensor.</summary>
    public NamespaceStops? Stops => (Process as KernelProcessSensor)?.Stops;

    /// <summary>Why the proc connector runs instead of the eBPF sensor; null when the eBPF sensor runs.</summary>
    public string? FallbackReason { get; private set; }

    /// <summary>Null when capture is disabled or could not start.</summary>
    public NetworkSensor? Network { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        pipeline.SensorCaughtUpUntil = () => Process?.CaughtUpUntil() ?? DateTimeOffset.MinValue;
        Process = CreateProcessSensor();
        pipeline.AwaitingOwner.SyscallSightings = Process is KernelProcessSensor;
        pipeline.RequestSensorDrain = Process.RequestDrain;
        try
        {
            Process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            // Neither sensor can run (a container without CAP_BPF or CAP_NET_ADMIN): a daemon that sees no process
            // must not look as if it watched the jobs.
            throw new InvalidOperationException(
                $"no process sensor can run: the {Process.Name} sensor cannot start ({ex.Message}, errno {ex.NativeErrorCode}; the proc connector "
                + "needs CAP_NET_ADMIN in the host's network namespace)"
                + (FallbackReason is { } reason ? $", and the eBPF sensor cannot run ({reason})" : ""), ex);
        }

        StartPreventDns();
        _diagnostics = new RunnerDiagnosticsWatcher(new QueuedEventWriter(pipeline), time);
        _diagnostics.Start();
        if (options.Configuration.Docker.Socket is { Length: > 0 } dockerSocket)
        {
            Docker = new BuildSentry.Linux.Containers.DockerWatcher(dockerSocket, new QueuedEventWriter(pipeline), pipeline.JobPids, time);
            Docker.Start();
        }
        StartCapture();
        var configuration = options.Configuration;
        var mode = configuration.DefaultMode.ToString().ToLowerInvariant();
        var count = profiles.Initial.Profiles.Count;
        var processSensor = FallbackReason is null ? Process.Name : $"{Process.Name} (eBPF unavailable: {FallbackReason})";
        LogStarted(count, profiles.Directory, mode, processSensor);
        pipeline.Queue.Post(() => pipeline.Monitor.RaiseDaemonAlert(time.GetUtcNow(), AlertKinds.DaemonStarted, "BuildSentry started",
            AlertSeverity.Info,
            $"{count} profiles from {profiles.Directory}; default mode {mode}; process sensor {processSensor}; capture {(Network is null ? "OFF" : "on")}; prevent mode {(PreventUnavailable is null ? "in the kernel" : $"as kill mode ({PreventUnavailable})")}"));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        LogStopping();
        placement.Slots.Prevent = null;
        if (_namespaces is not null)
        {
            await _namespaces.DisposeAsync();
        }

        if (_hostDns is not null)
        {
            await _hostDns.DisposeAsync();
        }

        Network?.Dispose();
        Process?.Dispose();
        _diagnostics?.Dispose();
        Docker?.Dispose();
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
                ForwarderWanted = (slot, tgid, inode) => _namespaces?.Want(slot, tgid, inode),
            });
            if (kernel is not null)
            {
                placement.Slots.Attach(kernel);
                enforcer.KernelMembers = placement.Slots.KernelMembers;
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

    /// <summary>
    /// Prevent mode's DNS forwarder, on 127.0.0.1 and ::1 at one port (the kernel redirects both families' DNS to that
    /// port). Without the eBPF sensor, or when it cannot listen, prevent-mode jobs are not held in the kernel and are
    /// killed at their first violation, as in kill mode; the start alert and status say so.
    /// </summary>
    private void StartPreventDns()
    {
        if (Process is not KernelProcessSensor kernel)
        {
            PreventUnavailable = "the eBPF sensor does not run";
            return;
        }

        var upstreams = PreventUpstreams();
        if (upstreams.Count == 0)
        {
            PreventUnavailable = "no DNS server: prevent.dns_servers is empty and /etc/resolv.conf names none";
            LogPreventUnavailable(PreventUnavailable);
            return;
        }

        var policy = new PreventModeDns(kernel, pipeline, time) { Upstreams = upstreams };
        try
        {
            var inode = BuildSentry.Linux.Interop.NetworkNamespace.InodeOf(Environment.ProcessId)
                        ?? throw new InvalidOperationException("the daemon's own network namespace cannot be read");
            _hostDns = NamespaceDns.Open(policy, inode, port: 0, freeBind: false, loggers, time);
            if (_hostDns.Ipv6Unavailable is { } v6)
            {
                LogForwarderV6(v6);
            }

            var port = _hostDns.Listening[0].Port;
            kernel.Policy.ForwarderListens(inode);
            _namespaces = new NamespaceForwarders(policy, kernel.Policy, kernel.Stops, port, slot => kernel.MembersOf(slot),
                slot => pipeline.Read(slot, (_, slot) => { placement.Slots.AllowAnswersSinceStart(slot); return true; }), loggers, time);
            PreventDns = policy;
            // Called where the job is placed, on the monitor's thread.
            placement.Slots.Prevent = new PreventSetup(port, job => pipeline.Monitor.TryGetState(job, out var state) ? state : null,
                _namespaces.Released, since => pipeline.Monitor.Names.RecordedSince(since, time.GetUtcNow()),
                (slot, members) => _namespaces.OpenNow(slot, members.Select(m => m.Pid), inode));
            LogForwarder(port);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidOperationException)
        {
            PreventUnavailable = $"the DNS forwarder cannot listen: {ex.Message}";
            LogPreventUnavailable(PreventUnavailable);
        }
    }

    /// <summary>prevent.dns_servers, else the nameservers of /etc/resolv.conf, on port 53.</summary>
    private List<System.Net.IPEndPoint> PreventUpstreams()
    {
        IEnumerable<string> servers = options.Configuration.Prevent.DnsServers;
        if (!servers.Any())
        {
            try
            {
                servers = File.ReadLines("/etc/resolv.conf")
                    .Select(line => line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                    .Where(fields => fields.Length >= 2 && fields[0] == "nameserver")
                    .Select(fields => fields[1].Split('%')[0])
                    .ToList();
            }
            catch (IOException)
            {
                servers = [];
            }
        }

        return [.. servers.Select(s => System.Net.IPAddress.TryParse(s, out var address) ? new System.Net.IPEndPoint(address, 53) : null)
            .OfType<System.Net.IPEndPoint>()];
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

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "Prevent mode's DNS forwarder listens on 127.0.0.1 and ::1, port {Port} (UDP and TCP)")]
    private partial void LogForwarder(int port);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "Prevent mode's DNS forwarder cannot listen on ::1 ({Error}): prevent-mode jobs' IPv6 DNS fails")]
    private partial void LogForwarderV6(string error);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "Prevent mode cannot hold jobs in the kernel ({Reason}): prevent-mode jobs are killed at their first violation, as in kill mode")]
    private partial void LogPreventUnavailable(string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "BuildSentry stopping")]
    private partial void LogStopping();

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Packet capture is disabled in the configuration: connections and DNS are not monitored")]
    private partial void LogCaptureDisabled();

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Packet capture could not start: {Error}; connections and DNS are not monitored")]
    private partial void LogCaptureFailed(string error);
}
