using System.Collections.Frozen;

namespace BuildSentry.Core.Jobs;

/// <summary>
/// The environment variables that mark a CI job, per CI system. These are the only keys the process
/// sensor ever copies out of /proc/PID/environ: every other environment value is a potential secret.
/// </summary>
public static class JobMarkers
{
    /// <summary>Values longer than this are cut: markers name things, they do not carry payloads.</summary>
    public const int MaxValueLength = 256;

    public static readonly FrozenSet<string> Keys = new[]
    {
        "GITHUB_ACTIONS", "GITHUB_RUN_ID", "GITHUB_JOB", "GITHUB_REPOSITORY", "GITHUB_WORKFLOW",
        "GITHUB_RUN_ATTEMPT", "RUNNER_NAME", "RUNNER_TRACKING_ID",
        "GITLAB_CI", "CI_JOB_ID", "CI_PROJECT_PATH", "CI_JOB_NAME", "CI_PIPELINE_ID", "CI_RUNNER_ID",
        "BUILD_TAG", "JENKINS_URL", "JENKINS_HOME", "JOB_NAME", "BUILD_NUMBER", "NODE_NAME",
        "BUILDKITE_JOB_ID", "BUILDKITE_PIPELINE_SLUG", "BUILDKITE_BUILD_NUMBER", "BUILDKITE_LABEL",
        "BUILDKITE_AGENT_NAME",
        "TF_BUILD", "SYSTEM_JOBID", "BUILD_REPOSITORY_NAME", "BUILD_DEFINITIONNAME", "SYSTEM_JOBDISPLAYNAME",
        "AGENT_NAME", "VSTS_PROCESS_LOOKUP_ID",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Recognises a job from marker variables, or returns null when none is complete.</summary>
    public static JobMetadata? Detect(IReadOnlyDictionary<string, string> env)
    {
        string? Get(string key) => env.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

        if (Get("GITHUB_ACTIONS") is not null && Get("GITHUB_RUN_ID") is { } runId && Get("GITHUB_JOB") is { } job)
        {
            var attempt = Get("GITHUB_RUN_ATTEMPT");
            return new JobMetadata(CiSystems.GitHub, JobIds.Create(CiSystems.GitHub, runId, attempt, job))
            {
                Repository = Get("GITHUB_REPOSITORY"), Workflow = Get("GITHUB_WORKFLOW"), JobName = job,
                RunId = runId, RunAttempt = attempt, RunnerName = Get("RUNNER_NAME"),
                TrackingId = Get("RUNNER_TRACKING_ID"),
            };
        }

        if (Get("GITLAB_CI") is not null && Get("CI_JOB_ID") is { } gitlabJob)
        {
            return new JobMetadata(CiSystems.GitLab, JobIds.Create(CiSystems.GitLab, gitlabJob))
            {
                Repository = Get("CI_PROJECT_PATH"), JobName = Get("CI_JOB_NAME"), RunId = Get("CI_PIPELINE_ID"),
                RunnerName = Get("CI_RUNNER_ID"),
            };
        }

        if (Get("BUILD_TAG") is { } tag && (Get("JENKINS_URL") ?? Get("JENKINS_HOME")) is not null)
        {
            return new JobMetadata(CiSystems.Jenkins, JobIds.Create(CiSystems.Jenkins, tag))
            {
                Repository = Get("JOB_NAME"), JobName = Get("JOB_NAME"), RunId = Get("BUILD_NUMBER"),
                RunnerName = Get("NODE_NAME"),
            };
        }

        if (Get("BUILDKITE_JOB_ID") is { } buildkiteJob)
        {
            return new JobMetadata(CiSystems.Buildkite, JobIds.Create(CiSystems.Buildkite, buildkiteJob))
            {
                Repository = Get("BUILDKITE_PIPELINE_SLUG"), Workflow = Get("BUILDKITE_PIPELINE_SLUG"),
                JobName = Get("BUILDKITE_LABEL"), RunId = Get("BUILDKITE_BUILD_NUMBER"),
                RunnerName = Get("BUILDKITE_AGENT_NAME"),
            };
        }

        if (Get("TF_BUILD") is not null && Get("SYSTEM_JOBID") is { } azureJob)
        {
            return new JobMetadata(CiSystems.Azure, JobIds.Create(CiSystems.Azure, azureJob))
            {
                Repository = Get("BUILD_REPOSITORY_NAME"), Workflow = Get("BUILD_DEFINITIONNAME"),
                JobName = Get("SYSTEM_JOBDISPLAYNAME"), RunnerName = Get("AGENT_NAME"),
                TrackingId = Get("VSTS_PROCESS_LOOKUP_ID"),
            };
        }

        return null;
    }
}
