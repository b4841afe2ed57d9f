using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using BuildSentry.Configuration;
using BuildSentry.Core.Reports;
using BuildSentry.Core.Text;

namespace BuildSentry.Cli;

/// <summary><c>buildsentry report JOB-ID|FILE</c>: prints a finished job's report in one of the <see cref="ReportFormat"/>s;
/// <c>buildsentry report --summary DIR</c> summarises many (<see cref="ReportSummaryRun"/>).</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var job = new Argument<string?>("job") { Description = "A job id (read from the reports directory) or the path of a report's .json file.", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print the report's JSON instead of the summary (--format json)." };
        var format = ReportFormat.Create();
        var reportsDir = new Option<string?>("--reports-dir") { Description = "Where the daemon writes reports (default: reports_dir of the configuration)." };
        var config = new Option<string?>("--config") { Description = $"The daemon's configuration file, for its reports directory (default {DaemonConfiguration.DefaultPath})." };
        var summary = new Option<string?>("--summary") { Description = "Instead of one job: per repository and workflow of the reports in this directory, the jobs seen, the jobs with violations and every destination with its counts." };
        var repository = new Option<string?>("--repository") { Description = "With --summary: only repositories this glob matches (e.g. 'acme/*')." };
        var since = new Option<DateTimeOffset?>("--since")
        {
            Description = "With --summary: only jobs started at or after this date or time (e.g. 2026-01-31 or 2026-01-31T12:00Z; UTC unless an offset is given).",
            CustomParser = r => DateTimeOffset.TryParse(r.Tokens.Single().Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at
                : Fail(r, $"--since '{r.Tokens.Single().Value}' is not a date (e.g. 2026-01-31)"),
        };
        var command = new Command("report", "Print the report of a finished job, or with --summary a summary of many. Exit codes: 0 printed, 1 not found or unreadable, 2 usage error.")
        {
            job, json, format, reportsDir, config, summary, repository, since,
        };
        command.Validators.Add(result =>
        {
            var summarises = result.GetResult(summary) is not null;
            if (summarises == (result.GetResult(job) is not null))
            {
                result.AddError("give either a job (id or report file) or --summary DIR");
            }

            if (!summarises && (result.GetResult(repository) is not null || result.GetResult(since) is not null))
            {
                result.AddError("--repository and --since need --summary");
            }

            if (summarises && (result.GetResult(json) is not null || result.GetResult(format) is { Implicit: false }))
            {
                result.AddError("--json and --format print one job's report: they do not go with --summary");
            }
        });
        command.SetAction(parseResult => parseResult.GetValue(summary) is { } directory
            ? ReportSummaryRun.Execute(directory, parseResult.GetValue(repository), parseResult.GetValue(since),
                parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error)
            : Execute(parseResult.GetValue(job)!, parseResult.GetValue(json) ? ReportFormat.Json : parseResult.GetRequiredValue(format),
                parseResult.GetValue(reportsDir), parseResult.GetValue(config),
                parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error));
        return command;
    }

    private static DateTimeOffset? Fail(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return null;
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
