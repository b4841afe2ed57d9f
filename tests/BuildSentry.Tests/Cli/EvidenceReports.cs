using BuildSentry.Core.Reports;

namespace BuildSentry.Tests.Cli;

/// <summary>A temporary directory of job reports as the daemon writes them (JSON beside its Markdown twin).</summary>
internal sealed class EvidenceReports : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);

    public string Path { get; } = Directory.CreateTempSubdirectory("buildsentry-evidence-").FullName;

    public static ReportDestination To(string address, int port, params string[] names) =>
        new(address, port, "tcp", names, [], true, null, "", 2, "10 /usr/bin/curl");

    public static JobReport Job(string jobId, int minute, IReadOnlyList<ReportDestination> destinations, IReadOnlyList<string>? dns = null,
        IReadOnlyList<string>? exes = null, string repository = "acme/web", string workflow = "ci")
    {
        var at = Start.AddMinutes(minute);
        var names = (dns ?? destinations.SelectMany(d => d.Names)).Distinct().Select(n => new ReportDnsName(n, true, null, "", 1)).ToList();
        var processes = (exes ?? ["/usr/bin/curl"]).Select((exe, i) => new ReportProcess(10 + i, 1, exe, [exe], at, at.AddSeconds(5), 0)).ToList();
        var violations = destinations.Where(d => !d.Allowed).Select(d => new ReportViolation($"{jobId}-1", at, "egress.connection", "denied", "alerted")).ToList();
        return new JobReport(jobId, "github", new Dictionary<string, string> { ["repository"] = repository, ["workflow"] = workflow, ["job"] = "build" },
            "default", "default profile", "audit", at, at.AddMinutes(1), "exited", null, null, processes, 0, destinations, 0, names,
            violations, violations.Count, new ReportHealth(0, 0, 0));
    }

    public string Write(JobReport report, string? fileName = null)
    {
        var path = System.IO.Path.Combine(Path, fileName ?? report.JobId + ".json");
        File.WriteAllText(path, JobReportJson.Serialize(report));
        File.WriteAllText(System.IO.Path.ChangeExtension(path, ".md"), JobReportText.Render(report));
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
