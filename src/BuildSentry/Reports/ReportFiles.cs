using System.Text.Json;
using BuildSentry.Core.Reports;
using BuildSentry.Core.Text;
using BuildSentry.Profiles;

namespace BuildSentry.Reports;

/// <summary>
/// Reads job reports for the commands that learn from many: a file as given, a directory's <c>*.json</c> files
/// (recursively, in ordinal path order; the Markdown twins and temporary files beside them are not reports). Every file
/// that is not a report of this format is a problem naming the file, and none stops the others being read.
/// </summary>
internal static class ReportFiles
{
    /// <summary>A report is bounded by the daemon's limits to a few MB; a larger file is not one.</summary>
    public const long MaxReportBytes = 64L * 1024 * 1024;

    /// <summary>The paths that do not exist, for a usage error; null when all do.</summary>
    public static string? Missing(IEnumerable<string> paths) =>
        paths.FirstOrDefault(p => !File.Exists(p) && !Directory.Exists(p)) is { } missing
            ? $"'{SafeText.Escape(missing)}' is neither a report file nor a directory"
            : null;

    public static (List<JobReport> Reports, List<string> Problems) Read(IEnumerable<string> paths)
    {
        var reports = new List<JobReport>();
        var problems = new List<string>();
        var files = paths.SelectMany(p => Directory.Exists(p)
            ? Directory.EnumerateFiles(p, "*.json", ProfileFiles.Enumeration).Order(StringComparer.Ordinal)
            : Enumerable.Repeat(p, 1)).Distinct(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (ReadOne(file, out var problem) is { } report)
            {
                reports.Add(report);
            }
            else
            {
                problems.Add($"{SafeText.Escape(file)}: {problem}");
            }
        }

        if (reports.Count == 0 && problems.Count == 0)
        {
            problems.Add($"no job reports (*.json) in {string.Join(", ", paths.Select(SafeText.Escape))}");
        }

        return (reports, problems);
    }

    private static JobReport? ReadOne(string file, out string problem)
    {
        problem = "";
        try
        {
            var length = new FileInfo(file).Length;
            if (length > MaxReportBytes)
            {
                problem = $"not a BuildSentry job report: {length} bytes, more than a report can hold";
                return null;
            }

            return JobReportJson.Deserialize(File.ReadAllText(file));
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : "";
            problem = $"not a BuildSentry job report of this version, or truncated{where}: {SafeText.Escape(FirstSentence(ex.Message))}";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            problem = $"cannot read the file: {SafeText.Escape(ex.Message)}";
        }

        return null;
    }

    // System.Text.Json appends the JSON path and position, said above already.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
