using BuildSentry.Configuration;
using BuildSentry.Core.Text;

namespace BuildSentry.Cli;

/// <summary>Turns the <c>report</c> command's argument into a file: a path as given, a job id inside the reports directory.</summary>
internal static class ReportLocation
{
    /// <returns>A usage error, or null with <paramref name="path"/> set.</returns>
    public static string? Resolve(string job, string? reportsDir, string? configPath, out string path)
    {
        path = "";
        if (job.Length == 0 || job.StartsWith('-'))
        {
            return $"'{SafeText.Escape(job)}' is neither a job id nor a report file";
        }

        if (job.Contains('/') || job.EndsWith(".json", StringComparison.Ordinal))
        {
            path = job;
            return null;
        }

        if (job is "." or ".." || !job.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            return $"'{SafeText.Escape(job)}' is not a job id (letters, digits, '.', '_' and '-'); give a report file's path instead";
        }

        if (reportsDir is null)
        {
            try
            {
                reportsDir = ConfigurationLoader.Load(configPath).ReportsDir;
            }
            catch (ConfigurationException ex)
            {
                return ex.Message;
            }
        }

        path = Path.Combine(reportsDir, job + ".json");
        return null;
    }
}
