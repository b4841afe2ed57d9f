using BuildSentry.Testing;
using BuildSentry.Testing.Lab;
using static BuildSentry.EndToEnd.ScenarioTests;

namespace BuildSentry.EndToEnd;

/// <summary>
/// Profiles from evidence, from real reports: jobs run in the lab in audit mode under lab-build (registry.test and
/// cdn.test on 80 and 443), reaching allowed hosts, three subdomains of exfil.test, one address by its literal
/// (mirror.test's, never resolved) and a look-alike (reg1stry.test, sent as the HTTP Host to registry.test's address).
/// The published binary suggests a profile from their reports and replays them against it.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class ProfileFromEvidenceTests(NetworkLabFixture fixture) : IDisposable
{
    private const string PublicSuffixList = "/usr/share/publicsuffix/public_suffix_list.dat";

    private readonly string _work = Directory.CreateTempSubdirectory("buildsentry-evidence-e2e-").FullName;

    private NetworkLab Lab => fixture.Lab;

    private static string Starters => Path.Combine(RepositoryRoot.Path, "profiles");

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task A_profile_suggested_from_audit_reports_loads_replays_them_without_a_denial_and_allows_nothing_unseen()
    {
        Assert.True(File.Exists(PublicSuffixList), $"{PublicSuffixList} is missing: scripts/deps.sh installs Debian's publicsuffix");
        var jobs = await RunJobsAsync();
        var reports = jobs.Reports;

        var suggest = await RunAsync("profile", "suggest", reports, "--profiles", Starters, "--name", "lab-build");
        Assert.True(suggest.ExitCode == 0, suggest.StandardError);
        var yaml = suggest.StandardOutput;
        var suggested = Path.Combine(_work, "suggested", "lab-build.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(suggested)!);
        await File.WriteAllTextAsync(suggested, yaml);
        Assert.Equal(yaml, (await RunAsync("profile", "suggest", reports, "--profiles", Starters, "--name", "lab-build")).StandardOutput);

        // It loads, with the starters it extends.
        var check = await RunAsync("check", Starters, suggested);
        Assert.True(check.ExitCode == 0, check.StandardOutput + yaml);
        Assert.Contains("extends: [network-tools]", yaml);
        Assert.True(yaml.Contains($"- {{ cidr: {Lab.Mirror.IPv4}/32, ports: [80], protocol: tcp }}  # LITERAL", StringComparison.Ordinal), yaml);
        Assert.True(yaml.Contains("- { host: reg1stry.test, ports: [80], protocol: tcp }  # 1 job, ", StringComparison.Ordinal), yaml);

        // Wildcards: exactly the one the evidence supports, and none over a public suffix.
        var wildcards = yaml.Split('\n').Where(l => l.Contains("host: \"*.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["  - { host: \"*.exfil.test\", ports: [80], protocol: tcp }"], wildcards.Select(l => l[..l.IndexOf("  #", StringComparison.Ordinal)]));
        var suffixes = File.ReadLines(PublicSuffixList).Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain("exfil.test", suffixes);

        // Replayed against it, the same reports are newly denied nothing; what lab-build denied and was seen is newly allowed.
        var diff = await RunAsync("profile", "diff", Starters, suggested, "--profile", "lab-build", "--against", reports, "--current", jobs.DaemonProfiles);
        Assert.True(diff.ExitCode == 0, diff.StandardOutput + diff.StandardError);
        Assert.Contains("profile 'lab-build': 0 newly denied, ", diff.StandardOutput);
        Assert.DoesNotContain("newly denied:", diff.StandardOutput);
        foreach (var seen in new[] { "DNS query a.exfil.test", "DNS query c.exfil.test", $"connection to {Lab.Mirror.IPv4}:80/tcp (no name)", "server name reg1stry.test" })
        {
            Assert.True(diff.StandardOutput.Contains("newly allowed: " + seen, StringComparison.Ordinal), diff.StandardOutput + yaml);
        }

        // Nothing it was not shown: other ports, the parent of the wildcard, a neighbouring address, hosts never reached.
        foreach (var (host, ip, port) in new (string? Host, string? Ip, int Port)[]
                 {
                     ("registry.test", null, 443), ("exfil.test", null, 80), ("a.exfil.test", null, 9000), ("evil.test", null, 80),
                     ("reg1stry.test", null, 443), ("mirror.test", null, 80), (null, "198.18.0.21", 80), (null, Lab.Mirror.IPv4.ToString(), 9000),
                     ("registry.test.evil", null, 80),
                 })
        {
            string[] ask = host is null ? ["--ip", ip!] : ["--host", host];
            var answer = await RunAsync(["check", Starters, suggested, "--profile", "lab-build", .. ask, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            Assert.True(answer.ExitCode == 1, $"{host ?? ip}:{port}: {answer.StandardOutput}");
        }

        Assert.Equal(1, (await RunAsync("check", Starters, suggested, "--profile", "lab-build", "--dns", "evil.test")).ExitCode);

        // One host removed (cdn.test: only the first job named it; every address it had, registry.test had too): exactly
        // that job is newly denied, each change quoting the rule that allowed it.
        var narrower = Path.Combine(_work, "narrower", "lab-build.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(narrower)!);
        var kept = yaml.Split('\n').Where(l => !l.StartsWith("  - { host: cdn.test,", StringComparison.Ordinal));
        await File.WriteAllTextAsync(narrower, string.Join('\n', kept));
        var removed = await RunAsync("profile", "diff", Starters, narrower, "--profile", "lab-build", "--against", reports, "--current", Starters, suggested);
        Assert.True(removed.ExitCode == 1, removed.StandardOutput + removed.StandardError);
        var denied = removed.StandardOutput.Split('\n').Where(l => l.StartsWith("newly denied: ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(denied);
        var deniedJobs = denied.SelectMany(l => l[(l.LastIndexOf(": ", StringComparison.Ordinal) + 2)..].TrimEnd(')').Split(", ")).ToHashSet();
        Assert.True(deniedJobs.SetEquals([jobs.Ids[0]]), $"{string.Join(", ", jobs.Ids)}:\n{removed.StandardOutput}");
        Assert.Contains("newly denied: DNS query cdn.test (1 job: " + jobs.Ids[0] + ")", removed.StandardOutput);
        Assert.Contains("  before: allowed by 'cdn.test ports 80/tcp' of profile 'lab-build'", removed.StandardOutput);

        // The daemon's reports directory holds each report's Markdown twin: not reports, not read. A cut report is named.
        var real = Directory.GetFiles(reports, "*.json")[0];
        await File.WriteAllTextAsync(Path.Combine(reports, "cut.json"), (await File.ReadAllTextAsync(real))[..200]);
        var bad = await RunAsync("profile", "suggest", reports, "--profiles", Starters);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains($"{Path.Combine(reports, "cut.json")}: not a BuildSentry job report", bad.StandardError);
        Assert.DoesNotContain(".md", bad.StandardError);
    }

    private async Task<(string Reports, string DaemonProfiles, List<string> Ids)> RunJobsAsync()
    {
        await Lab.SetDelayAsync(TimeSpan.FromMilliseconds(5));
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit"));
        const string Get = "curl -s -m 5 -o /dev/null";
        string[] scripts =
        [
            $"{Get} http://registry.test/ok; {Get} http://cdn.test/ok",
            $"{Get} http://registry.test/ok; for n in a b c; do {Get} http://$n.exfil.test/; done",
            $"{Get} http://{Lab.Mirror.IPv4}/",
            $"{Get} --resolve reg1stry.test:80:{Lab.Registry.IPv4} http://reg1stry.test/ok",
        ];
        var ids = new List<string>();
        foreach (var script in scripts)
        {
            using var job = BuildJob.Start(Lab, script + "; echo done");
            var result = await job.WaitAsync();
            Assert.True(result.StandardOutput.Contains("done", StringComparison.Ordinal), result.StandardError);
            await ReportAsync(daemon, job);
            ids.Add(job.JobId);
        }

        // The reports outlive the daemon's directory: copied where the test keeps them.
        var reports = Path.Combine(_work, "reports");
        var profiles = Path.Combine(_work, "daemon-profiles");
        Copy(daemon.ReportsDirectory, reports);
        Copy(Path.Combine(daemon.Directory, "profiles"), profiles);
        return (reports, profiles, ids);
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static Task<CommandResult> RunAsync(params string[] args) => Command.RunAsync(DaemonProcess.Binary, args, TimeSpan.FromSeconds(60));
}
