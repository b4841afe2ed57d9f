using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Reports;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>Writes <c>&lt;job-id&gt;.json</c> and <c>&lt;job-id&gt;.md</c> when a job ends. Job ids are sanitised to file names.</summary>
internal sealed partial class ReportWriter(string directory, ILogger<ReportWriter> logger) : IJobReportSink
{
    public string Directory => directory;

    public void JobEnded(JobState state)
    {
        var report = JobReportBuilder.From(state);
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            var json = Path.Combine(directory, report.JobId + ".json");
            WriteAtomically(json, JobReportJson.Serialize(report));
            WriteAtomically(Path.Combine(directory, report.JobId + ".md"), JobReportText.Render(report));
            LogWritten(report.JobId, json);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogFailed(report.JobId, directory, ex.Message);
        }
    }

    private static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Job {JobId} ended; report written to {Path}")]
    private partial void LogWritten(string jobId, string path);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Could not write the report of job {JobId} to {Directory}: {Error}")]
    private partial void LogFailed(string jobId, string directory, string error);
}
