using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using BuildSentry.Control;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Text;

namespace BuildSentry.Cli;

/// <summary>
/// <c>buildsentry exec -- CMD</c>: a job wrapper for runners without job hooks (Jenkins). It registers itself as the
/// job's root, runs CMD in the job, prints the job's report so far to stderr and exits with CMD's status.
/// </summary>
internal static class ExecCommand
{
    /// <summary>What a shell exits with when it cannot run a command.</summary>
    public const int CannotRun = 127;

    public static Command Create()
    {
        var socket = ControlSocketOption.Create();
        var ci = new Option<string>("--ci") { Description = "The CI system, when the environment does not say.", HelpName = "NAME" };
        ci.AcceptOnlyFromAmong(CiSystems.GitHub, CiSystems.GitLab, CiSystems.Jenkins, CiSystems.Buildkite, CiSystems.Azure, CiSystems.Manual);
        var jobId = new Option<string>("--job-id") { Description = "The job's id (default: derived from the CI environment, e.g. BUILD_TAG).", HelpName = "ID" };
        var commandLine = new Argument<string[]>("command") { Description = "The command to run in the job, after '--'.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("exec",
            "Register a job, run COMMAND in it, print the job's report and exit with COMMAND's status (128+N when signal N ended it, "
            + $"137 when the job was killed). Exit codes of its own: 1 refused by the daemon, 2 usage error, 3 daemon unreachable, {CannotRun} COMMAND cannot be run. "
            + "BUILDSENTRY_FAIL_OPEN=true runs COMMAND unmonitored when the job cannot be registered.")
        {
            socket, ci, jobId, commandLine,
        };
        command.SetAction(parseResult => Execute(parseResult, socket, ci, jobId, parseResult.GetRequiredValue(commandLine)));
        return command;
    }

    private static int Execute(ParseResult parseResult, Option<string> socket, Option<string> ci, Option<string> jobId, string[] commandLine)
    {
        var error = parseResult.InvocationConfiguration.Error;
        var registered = ControlCall.Send(parseResult, socket, new ControlRequest(ControlCommands.JobStart)
        {
            RootPid = Environment.ProcessId,
            // This wrapper runs no job code: a kill leaves it running to print the report.
            SpareRoot = true,
            Ci = parseResult.GetValue(ci),
            JobId = parseResult.GetValue(jobId),
            Metadata = JobStartCommand.MarkerEnvironment(),
        }, (response, _) => error.WriteLine($"buildsentry: {SafeText.Escape(response.Message)}"));
        if (registered != ExitCodes.Success)
        {
            error.WriteLine($"buildsentry: the job could not be registered (exit {registered})");
            if (Environment.GetEnvironmentVariable("BUILDSENTRY_FAIL_OPEN") != "true")
            {
                return registered;
            }
        }

        var status = Run(commandLine, error);
        if (status != CannotRun && registered == ExitCodes.Success)
        {
            // The report's own exit code does not change CMD's: the build's status is the build's.
            ControlCall.Send(parseResult, socket, new ControlRequest(ControlCommands.JobReport),
                (response, _) => JobReportCommand.Print(response, ReportFormat.Markdown, null, error, error));
        }

        return status;
    }

    private static int Run(string[] commandLine, TextWriter error)
    {
        var start = new ProcessStartInfo(commandLine[0]) { UseShellExecute = false };
        foreach (var argument in commandLine[1..])
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (Win32Exception e)
        {
            error.WriteLine($"buildsentry: cannot run {SafeText.Escape(commandLine[0])}: {e.Message}");
            return CannotRun;
        }
    }
}
