namespace BuildSentry.Doctor;

/// <summary>
/// Whether each runner found runs the BuildSentry hooks. A runner without its job-start hook fails (its jobs are found
/// late or not rooted where they should be, and nothing fails closed); without the end-of-job hook it warns (the
/// developer does not see the verdict).
/// </summary>
internal static class RunnerHookChecks
{
    public static IEnumerable<DoctorCheck> Run(RunnerLocations where)
    {
        var any = false;
        foreach (var runner in where.GitHubRunners)
        {
            any = true;
            yield return GitHub(runner);
        }

        if (File.Exists(where.GitLabConfig))
        {
            foreach (var runner in GitLabRunnerConfig.Parse(File.ReadAllText(where.GitLabConfig)))
            {
                any = true;
                yield return Hooks($"gitlab runner '{runner.Name}'", where.GitLabConfig,
                    runner.PreBuildScript?.Contains("gitlab-pre-build.sh", StringComparison.Ordinal) == true,
                    runner.PostBuildScript?.Contains("gitlab-post-build.sh", StringComparison.Ordinal) == true,
                    "under its [[runners]]: pre_build_script = \"/usr/lib/buildsentry/hooks/gitlab-pre-build.sh\"",
                    "post_build_script = \"/usr/lib/buildsentry/hooks/gitlab-post-build.sh\"");
            }
        }

        if (Directory.Exists(where.BuildkiteHooks))
        {
            any = true;
            yield return Hooks("buildkite agent", where.BuildkiteHooks,
                Mentions(Path.Combine(where.BuildkiteHooks, "environment"), "buildkite-environment.sh"),
                Mentions(Path.Combine(where.BuildkiteHooks, "pre-exit"), "buildkite-pre-exit.sh"),
                "in its environment hook: source /usr/lib/buildsentry/hooks/buildkite-environment.sh",
                "in its pre-exit hook: source /usr/lib/buildsentry/hooks/buildkite-pre-exit.sh");
        }

        if (!any)
        {
            yield return DoctorCheck.Ok("runner hooks", $"no runner found (GitHub: actions.runner.*.service units, /opt/actions-runner, /home/*/actions-runner; "
                + $"GitLab: {where.GitLabConfig}; Buildkite: {where.BuildkiteHooks}); name them with --github-runner, --gitlab-config, --buildkite-hooks");
        }
    }

    private static DoctorCheck GitHub(string directory)
    {
        var env = Path.Combine(directory, ".env");
        var values = File.Exists(env) ? ReadEnv(env) : new Dictionary<string, string>();
        return Hooks($"github runner {directory}", env,
            values.TryGetValue("ACTIONS_RUNNER_HOOK_JOB_STARTED", out var started) && File.Exists(started),
            values.TryGetValue("ACTIONS_RUNNER_HOOK_JOB_COMPLETED", out var completed) && File.Exists(completed),
            "ACTIONS_RUNNER_HOOK_JOB_STARTED=/usr/lib/buildsentry/hooks/github-job-started.sh",
            "ACTIONS_RUNNER_HOOK_JOB_COMPLETED=/usr/lib/buildsentry/hooks/github-job-completed.sh");
    }

    private static DoctorCheck Hooks(string name, string file, bool start, bool end, string startLine, string endLine)
    {
        if (!start)
        {
            return DoctorCheck.Fail(name, $"{file} does not run the BuildSentry job-start hook", $"add {startLine}{(end ? "" : $" and {endLine}")}, then restart the runner");
        }

        return end
            ? DoctorCheck.Ok(name, $"{file} runs the BuildSentry hooks")
            : DoctorCheck.Warn(name, $"{file} runs the job-start hook but not the end-of-job one: developers do not see their verdict", $"add {endLine}, then restart the runner");
    }

    /// <summary>The runner's .env: NAME=value lines, read as the runner reads them (no quoting, no expansion).</summary>
    private static Dictionary<string, string> ReadEnv(string path) => File.ReadLines(path)
        .Select(l => l.Trim())
        .Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('='))
        .Select(l => (Key: l[..l.IndexOf('=')].Trim(), Value: l[(l.IndexOf('=') + 1)..].Trim()))
        .GroupBy(p => p.Key, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);

    private static bool Mentions(string file, string hook) =>
        File.Exists(file) && File.ReadLines(file).Any(l => !l.TrimStart().StartsWith('#') && l.Contains(hook, StringComparison.Ordinal));
}
