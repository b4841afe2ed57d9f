using BuildSentry.Linux.Attribution;
using BuildSentry.Linux.Cgroups;
using BuildSentry.Linux.Enforcement;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>
/// Job cgroups (a kill reaches every descendant, race-free) and the kernel's attribution of flows to them (an iptables
/// NFLOG rule per cgroup slot). Set up before the monitor and removed after it.
/// </summary>
internal sealed partial class JobPlacementSetup(DaemonOptions options, KernelJobSlots slots, ILoggerFactory loggers) : IHostedService
{
    private readonly ILogger _logger = loggers.CreateLogger<JobPlacementSetup>();

    public CgroupPlacement Placement { get; private set; } = null!;

    /// <summary>What the tracker places jobs through: their cgroups, and their slots in the kernel's membership map.</summary>
    public KernelJobSlots Slots => slots;

    /// <summary>Null when kernel attribution is off or could not start (said once in the log).</summary>
    public KernelJobTags? KernelTags { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var configuration = options.Configuration;
        var cgroups = configuration.JobCgroups ? JobCgroups.Detect() : new JobCgroups(null);
        var mount = configuration.JobCgroups ? CgroupMount.FindV2() : null;
        KernelTags = mount is null ? null : StartKernelTags(mount);
        Placement = new CgroupPlacement(cgroups, loggers.CreateLogger<CgroupPlacement>(), slots: KernelTags);
        slots.Decorate(Placement);
        if (mount is not null)
        {
            Placement.RemoveLeftovers(mount);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Placement?.Dispose();
        KernelTags?.Dispose();
        return Task.CompletedTask;
    }

    private KernelJobTags? StartKernelTags(string cgroupMount)
    {
        var capture = options.Configuration.Capture;
        if (!capture.Enabled || !capture.KernelAttribution)
        {
            return null;
        }

        try
        {
            return KernelJobTags.Start(cgroupMount, capture.DnsPorts, LogKernelTagRule);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            LogKernelTagsUnavailable(ex.Message);
            return null;
        }
    }

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Kernel attribution of flows to job cgroups is unavailable ({Error}): flows are attributed from user space only, which loses sockets closed within a millisecond")]
    private partial void LogKernelTagsUnavailable(string error);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "A cgroup slot for kernel attribution could not be prepared: {Error}")]
    private partial void LogKernelTagRule(string error);
}
