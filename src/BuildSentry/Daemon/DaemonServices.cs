using System.Diagnostics.CodeAnalysis;
using BuildSentry.Linux.Enforcement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>The daemon's parts. Hosted services start in this order and stop in the reverse one.</summary>
internal static class DaemonServices
{
    /// <summary>Long enough for the alert targets' flush; bounded, since a wedged sensor may keep the loop from draining.</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(15);

    public static IServiceCollection AddDaemon(this IServiceCollection services)
    {
        services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<DaemonExit>();
        services.AddSingleton<LoopQueue>();
        services.AddSingleton<MonitorPipeline>();
        services.AddSingleton(sp => new JobEnforcer(sp.GetRequiredService<ILogger<JobEnforcer>>()));
        services.AddSingleton<ProfileReloader>();
        services.AddSingleton<StatusBuilder>();
        services.AddSingleton<ControlHandler>();
        services.AddSingleton<KernelJobSlots>();
        services.AddSingleton<SensorHealth>();

        // The control socket first: a second daemon fails there, before it touches cgroups or sensors.
        AddHosted<ControlService>(services);
        AddHosted<AlertTargets>(services);
        AddHosted<JobPlacementSetup>(services);
        AddHosted<MonitorLoop>(services);
        // Stops before the loop: the waits under way report back while the loop still applies events.
        AddHosted<KillWaiter>(services);
        AddHosted<Sensors>(services);
        AddHosted<RunnerProbe>(services);
        AddHosted<ReloadSignal>(services);
        AddHosted<Housekeeping>(services);
        AddHosted<Metrics.MetricsTextfile>(services);
        AddHosted<Watchdog>(services);
        return services;
    }

    /// <summary>One instance, both injectable by its type and run as a hosted service.</summary>
    private static void AddHosted<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(IServiceCollection services)
        where T : class, IHostedService
    {
        services.AddSingleton<T>();
        services.AddHostedService(sp => sp.GetRequiredService<T>());
    }
}
