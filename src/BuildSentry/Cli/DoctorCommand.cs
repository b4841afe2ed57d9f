using System.CommandLine;
using BuildSentry.Configuration;
using BuildSentry.Doctor;
using BuildSentry.Linux.Kernel;

namespace BuildSentry.Cli;

/// <summary><c>buildsentry doctor</c>: checks the host, the running daemon and the runners' hooks, and says what to do.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = $"The daemon's configuration (default {DaemonConfiguration.DefaultPath}).", HelpName = "FILE" };
        var socket = new Option<string?>("--socket") { Description = "The daemon's control socket (default: control.socket of the configuration).", HelpName = "PATH" };
        var json = new Option<bool>("--json") { Description = "Print the checks as one line of JSON." };
        var github = new Option<string[]>("--github-runner")
        {
            Description = "A GitHub runner's directory, whose .env is read (repeatable; default: found from actions.runner.*.service units, /opt/actions-runner, /home/*/actions-runner).",
            HelpName = "DIR", AllowMultipleArgumentsPerToken = false,
        };
        var gitlab = new Option<string>("--gitlab-config") { Description = "GitLab Runner's config.toml.", HelpName = "FILE", DefaultValueFactory = _ => RunnerLocations.DefaultGitLabConfig };
        var buildkite = new Option<string>("--buildkite-hooks") { Description = "The Buildkite agent's hooks directory.", HelpName = "DIR", DefaultValueFactory = _ => RunnerLocations.DefaultBuildkiteHooks };
        var command = new Command("doctor",
            "Check the host (kernel, BTF, BPF, cgroup v2, libpcap, iptables, capabilities), the running daemon and its sensors, the control socket's group, "
            + "the alert targets and the runners' hooks, and say what to do about each failure. Run as root. "
            + "Exit codes: 0 everything the configured mode needs works (warnings aside), 1 a check failed, 2 usage error or bad configuration.")
        {
            config, socket, json, github, gitlab, buildkite,
        };
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            DaemonConfiguration configuration;
            try
            {
                configuration = ConfigurationLoader.Load(parseResult.GetValue(config));
            }
            catch (ConfigurationException e)
            {
                parseResult.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            }

            var runners = parseResult.GetValue(github) is { Length: > 0 } given ? given : RunnerLocations.DiscoverGitHubRunners();
            var checks = Run(configuration, parseResult.GetValue(socket) ?? configuration.Control.Socket,
                new RunnerLocations(runners, parseResult.GetRequiredValue(gitlab), parseResult.GetRequiredValue(buildkite)));
            if (parseResult.GetValue(json))
            {
                DoctorReport.WriteJson(output, checks);
            }
            else
            {
                DoctorReport.WriteText(output, checks);
            }

            return DoctorReport.Passed(checks) ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static List<DoctorCheck> Run(DaemonConfiguration configuration, string socket, RunnerLocations runners) =>
    [
        .. HostChecks.Run(configuration, HostChecks.ReadOsRelease(), KernelProcessSensor.CheckLoad),
        CapabilityCheck.Run(File.ReadAllText("/proc/self/status")),
        .. DaemonChecks.Run(configuration, socket),
        .. AlertTargetCheck.Run(configuration),
        .. RunnerHookChecks.Run(runners),
    ];
}
