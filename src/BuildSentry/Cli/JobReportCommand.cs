using System.CommandLine;
using System.Text.Json;
using BuildSentry.Control;
using BuildSentry.Core.Reports;
using BuildSentry.Core.Text;

namespace BuildSentry.Cli;

/// <summary>
/// <c>buildsentry job report</c>: the report so far of the caller's own job (or, from outside any job, of the job
/// named), asked of the running daemon, for the hooks that run at a job's end to show the verdict.
/// </summary>
internal static class JobReportCommand
{
    public static Command Create()
    {
        var socket = ControlSocketOption.Create();
        var jobId = new Option<string>("--job-id") { Description = "The job (default: the job this command runs in).", HelpName = "ID" };
        var format = ReportFormat.Create();
        var summaryFile = new Option<string>("--summary-file")
        {
            Description = "Also append the Markdown summary to this file (GitHub: $GITHUB_STEP_SUMMARY).",
            HelpName = "FILE",
        };
        var command = new Command("report",
            "Print the report so far of the job this command runs in. Exit codes: 0 printed, 1 refused by the daemon or the summary file not writable, 2 usage error, 3 daemon unreachable.")
        {
            socket, jobId, format, summaryFile,
        };
        command.SetAction(parseResult =>
        {
            var failed = false;
            var code = ControlCall.Send(parseResult, socket, new ControlRequest(ControlCommands.JobReport) { JobId = parseResult.GetValue(jobId) },
                (response, output) => failed = !Print(response, parseResult.GetRequiredValue(format), parseResult.GetValue(summaryFile), output,
                    parseResult.InvocationConfiguration.Error));
            return failed ? ExitCodes.Failure : code;
        });
        return command;
    }

    /// <returns>False, said on <paramref name="error"/>, when the answer holds no report or the summary file cannot be written.</returns>
    public static bool Print(ControlResponse response, string format, string? summaryFile, TextWriter output, TextWriter error)
    {
        JobReport report;
        try
        {
            report = JobReportJson.FromNode(response.Body ?? throw new JsonException("no report in the answer"));
        }
        catch (JsonException e)
        {
            error.WriteLine($"error: the daemon's answer is not a job report: {SafeText.Escape(e.Message)}");
            return false;
        }

        output.Write(ReportFormat.Render(report, format));
        if (summaryFile is null)
        {
            return true;
        }

        try
        {
            File.AppendAllText(summaryFile, JobReportText.Render(report));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot append the summary to {SafeText.Escape(summaryFile)}: {SafeText.Escape(e.Message)}");
            return false;
        }
    }
}
