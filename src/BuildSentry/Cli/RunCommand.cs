using System.CommandLine;
using BuildSentry.Configuration;
using BuildSentry.Daemon;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace BuildSentry.Cli;

/// <summary><c>buildsentry run [--config FILE]</c>: the daemon, as a systemd notify service or in the foreground.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config")
        {
            Description = $"The configuration file (default {DaemonConfiguration.DefaultPath}; without it, the embedded default: audit mode, the shipped profiles, alerts to the journal or console).",
        };
        var command = new Command("run", "Run the BuildSentry daemon: watch every build job's processes and egress, alert, and kill in kill mode. Needs root.")
        {
            config,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult.GetValue(config), parseResult.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? path, TextWriter error, CancellationToken cancellationToken)
    {
        DaemonConfiguration configuration;
        try
        {
            configuration = ConfigurationLoader.Load(path);
        }
        catch (ConfigurationException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Usage;
        }

        var (profiles, problems, directory) = ProfileSource.Load(configuration);
        if (profiles is null)
        {
            foreach (var problem in problems)
            {
                await error.WriteLineAsync($"error: {problem}");
            }

            await error.WriteLineAsync($"error: the profiles in {directory} are invalid ({problems.Count} problem(s))");
            return ExitCodes.Usage;
        }

        if (!Environment.IsPrivilegedProcess)
        {
            await error.WriteLineAsync("error: buildsentry run needs root (netlink process events, packet capture, killing jobs)");
            return ExitCodes.Failure;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = false, Args = [] });
        // AddSystemd recognises a service started by systemd (journald log format, READY=1, STOPPING=1).
        // A NOTIFY_SOCKET from another supervisor (or a test) gets the same notify protocol.
        builder.Services.AddSystemd();
        builder.Services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        if (!SystemdHelpers.IsSystemdService() && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")))
        {
            builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }

        builder.Services.AddSingleton(new DaemonOptions(path, configuration));
        builder.Services.AddSingleton(new ProfileStore(profiles, directory));
        builder.Services.AddDaemon();
        using var host = builder.Build();
        var exit = host.Services.GetRequiredService<DaemonExit>();
        try
        {
            await host.RunAsync(cancellationToken);
            if (exit.Failure is { } failure)
            {
                await error.WriteLineAsync($"error: {failure}");
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
