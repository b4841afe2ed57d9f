using BuildSentry.Core.Jobs;

namespace BuildSentry.Core.Tests.Jobs;

public sealed class JobMarkersTests
{
    [Theory]
    [InlineData("GITHUB_ACTIONS=true;GITHUB_RUN_ID=9;GITHUB_JOB=test;GITHUB_RUN_ATTEMPT=2", "github", "github-9-2-test")]
    [InlineData("GITLAB_CI=true;CI_JOB_ID=31", "gitlab", "gitlab-31")]
    [InlineData("BUILD_TAG=jenkins-app-4;JENKINS_HOME=/var/jenkins", "jenkins", "jenkins-jenkins_app_4")]
    [InlineData("BUILDKITE_JOB_ID=0190-ab", "buildkite", "buildkite-0190_ab")]
    [InlineData("TF_BUILD=True;SYSTEM_JOBID=5b1f", "azure", "azure-5b1f")]
    public void Each_CI_systems_markers_are_recognised(string env, string ci, string jobId)
    {
        var metadata = JobMarkers.Detect(Parse(env));

        Assert.NotNull(metadata);
        Assert.Equal(ci, metadata.CiSystem);
        Assert.Equal(jobId, metadata.JobId);
    }

    [Theory]
    [InlineData("GITHUB_RUN_ID=9;GITHUB_JOB=test")]
    [InlineData("GITHUB_ACTIONS=true;GITHUB_JOB=test")]
    [InlineData("CI_JOB_ID=31")]
    [InlineData("BUILD_TAG=x")]
    [InlineData("SYSTEM_JOBID=1")]
    [InlineData("")]
    public void Incomplete_markers_do_not_make_a_job(string env) => Assert.Null(JobMarkers.Detect(Parse(env)));

    [Fact]
    public void A_hostile_job_id_cannot_escape_the_reports_directory_or_the_log_line()
    {
        var metadata = JobMarkers.Detect(Parse("GITLAB_CI=1;CI_JOB_ID=../../etc/passwd\n\u001b[31m" + new string('x', 500)));

        Assert.NotNull(metadata);
        Assert.DoesNotContain('/', metadata.JobId);
        Assert.DoesNotContain('\n', metadata.JobId);
        Assert.DoesNotContain('\u001b', metadata.JobId);
        Assert.True(metadata.JobId.Length <= JobIds.MaxLength);
    }

    [Fact]
    public void No_marker_key_names_a_secret()
    {
        Assert.DoesNotContain(JobMarkers.Keys, k => k.Contains("TOKEN") || k.Contains("SECRET") || k.Contains("PASSWORD") || k.Contains("KEY"));
    }

    private static Dictionary<string, string> Parse(string env) =>
        env.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1]);
}
