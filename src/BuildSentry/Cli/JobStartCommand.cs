using System.CommandLine;
using System.Globalization;
using BuildSentry.Control;
using BuildSentry.Core.Jobs;

namespace BuildSentry.Cli;

/// <summary>
/// <c>buildsentry job start</c>: registers a job with the daemon, with the CI metadata of this process's
/// environment. Only the job marker variables are read; every other variable may hold a secret.
/// </summary>
internal static class JobStartCommand
{
    public static Command Create()
    {
        var socket = ControlSocketOption.Create();
        var rootPid = new Option<int>("--root-pid")
        {
            Description = "The job's root process (default: the daemon picks it from this command's ancestry).",
            HelpName = "PID",
            CustomParser = result =>
            {
                if (int.TryParse(result.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0)
                {
                    return pid;
                }

                result.AddError($"--root-pid '{result.Tokens[0].Value}' is not a process id");
                return 0;
            },
        };
        var ci = new Option<string>("--ci") { Description = "The CI system, when the environment does not say.", HelpName = "NAME" };
        ci.AcceptOnlyFromAmong(CiSystems.GitHub, CiSystems.GitLab, CiSystems.Jenkins, CiSystems.Buildkite, CiSystems.Azure, CiSystems.Manual);
        var jobId = new Option<string>("--job-id") { Description = "The job's id (default: derived from the CI environment).", HelpName = "ID" };
        var spareRoot = new Option<bool>("--spare-root")
        {
            Description = "The root is the runner's own process, not job code (Runner.Worker, the Buildkite bootstrap): a kill "
                + "kills every other process of the job and leaves the root running, so the runner runs its completion hook. "
                + "Never for a root that runs the job's own script (GitLab's job shell).",
        };

        var command = new Command("start", "Register a job with the daemon. Exit codes: 0 registered, 1 refused by the daemon, 2 usage error, 3 daemon unreachable.")
        {
            socket, rootPid, ci, jobId, spareRoot,
        };
        command.SetAction(parseResult => ControlCall.Send(parseResult, socket, new ControlRequest(ControlCommands.JobStart)
        {
            RootPid = parseResult.GetResult(rootPid) is null ? null : parseResult.GetValue(rootPid),
            SpareRoot = parseResult.GetValue(spareRoot) ? true : null,
            Ci = parseResult.GetValue(ci),
            JobId = parseResult.GetValue(jobId),
            Metadata = MarkerEnvironment(),
        }));
        return command;
    }

    public static Dictionary<string, string> MarkerEnvironment()
    {
        var markers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in JobMarkers.Keys)
        {
            if (Environment.GetEnvironmentVariable(key) is { Length: > 0 } value)
            {
                markers[key] = value;
            }
        }

        return markers;
    }
}
