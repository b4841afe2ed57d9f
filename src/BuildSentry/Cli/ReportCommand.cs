using System.CommandLine;
using System.Text.Json;
using BuildSentry.Configuration;
using BuildSentry.Core.Reports;
using BuildSentry.Core.Text;

namespace BuildSentry.Cli;

/// <summary><c>buildsentry report JOB-ID|FILE</c>: prints a finished job's report in one of the <see cref="ReportFormat"/>s.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var job = new Argument<string>("job") { Description = "A job id (read from the reports directory) or the path of a report's .json file." };
        var json = new Option<bool>("--json") { Description = "Print the report's JSON instead of the summary (--format json)." };
        var format = ReportFormat.Create();
        var reportsDir = new Option<string?>("--reports-dir") { Description = "Where the daemon writes reports (default: reports_dir of the configuration)." };
        var config = new Option<string?>("--config") { Description = $"The daemon's configuration file, for its reports directory (default {DaemonConfiguration.DefaultPath})." };
        var command = new Command("report", "Print the report of a finished job. Exit codes: 0 printed, 1 not found or unreadable, 2 usage error.")
        {
            job, json, format, reportsDir, config,
        };
        command.SetAction(parseResult => Execute(
            parseResult.GetRequiredValue(job), parseResult.GetValue(json) ? ReportFormat.Json : parseResult.GetRequiredValue(format),
            parseResult.GetValue(reportsDir), parseResult.GetValue(config),
            parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error));
        return command;
    }

    private static int Execute(string job, string format, string? reportsDir, string? configPath, TextWriter output, TextWriter error)
    {
        if (ReportLocation.Resolve(job, reportsDir, configPath, out var path) is { } usage)
        {
            error.WriteLine($"error: {usage}");
            return ExitCodes.Usage;
        }

        JobReport report;
        try
        {
            report = JobReportJson.Deserialize(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            error.WriteLine($"error: no report for '{SafeText.Escape(job)}' ({SafeText.Escape(path)} does not exist)");
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot read {SafeText.Escape(path)}: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (JsonException ex)
        {
            error.WriteLine($"error: {SafeText.Escape(path)} is not a BuildSentry job report: {SafeText.Escape(ex.Message)}");
            return ExitCodes.Failure;
        }

        // The JSON is printed as BuildSentry writes it, not as found, so a tampered file cannot smuggle control characters out.
        output.Write(ReportFormat.Render(report, format));
        return ExitCodes.Success;
    }
}
