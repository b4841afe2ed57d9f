namespace BuildSentry.Doctor;

/// <summary>
/// Where runners keep their configuration: given on the command line, else found where their installers put it.
/// GitHub runners are found from their systemd units (svc.sh sets WorkingDirectory= to the runner's directory) and
/// in the usual directories; GitLab's config.toml and Buildkite's hooks directory have one place each.
/// </summary>
internal sealed record RunnerLocations(IReadOnlyList<string> GitHubRunners, string GitLabConfig, string BuildkiteHooks)
{
    public const string DefaultGitLabConfig = "/etc/gitlab-runner/config.toml";
    public const string DefaultBuildkiteHooks = "/etc/buildkite-agent/hooks";

    public static IReadOnlyList<string> DiscoverGitHubRunners(string systemdDirectory = "/etc/systemd/system")
    {
        var found = new List<string>();
        if (Directory.Exists(systemdDirectory))
        {
            foreach (var unit in Directory.EnumerateFiles(systemdDirectory, "actions.runner.*.service"))
            {
                found.AddRange(File.ReadLines(unit)
                    .Where(l => l.StartsWith("WorkingDirectory=", StringComparison.Ordinal))
                    .Select(l => l["WorkingDirectory=".Length..].Trim()));
            }
        }

        var usual = new[] { "/opt/actions-runner", "/actions-runner" }
            .Concat(Directory.Exists("/home") ? Directory.EnumerateDirectories("/home").Select(h => Path.Combine(h, "actions-runner")) : []);
        found.AddRange(usual.Where(d => File.Exists(Path.Combine(d, ".runner")) || File.Exists(Path.Combine(d, ".env"))));
        return found.Distinct(StringComparer.Ordinal).ToList();
    }
}
