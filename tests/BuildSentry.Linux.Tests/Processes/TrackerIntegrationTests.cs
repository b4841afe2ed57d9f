using BuildSentry.Core.Events;
using BuildSentry.Linux.Tests.Support;

namespace BuildSentry.Linux.Tests.Processes;

/// <summary>The real process sensor feeding the Core job tracker, with real processes.</summary>
[Collection(SensorCollection.Name)]
public sealed class TrackerIntegrationTests
{
    /// <summary>A run id of its own for each job, so no process of an earlier run can pass for this one.</summary>
    private static readonly string RunPrefix = Random.Shared.Next(10_000, 99_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Dictionary<string, string> GitHub(string runId) => new()
    {
        ["GITHUB_ACTIONS"] = "true", ["GITHUB_RUN_ID"] = RunPrefix + runId, ["GITHUB_JOB"] = "build", ["GITHUB_RUN_ATTEMPT"] = "1",
        ["GITHUB_REPOSITORY"] = "acme/app", ["AWS_SECRET_ACCESS_KEY"] = "not-for-the-tracker",
    };

    [Fact]
    public void Every_descendant_of_a_GitHub_marked_shell_job_is_attributed_to_it()
    {
        using var harness = new SensorHarness();
        using var job = Support.Processes.Start("/bin/sh",
            ["-c", "sh -c 'true; /usr/bin/curl -s file:///dev/null; sh -c /bin/true'; for i in 1 2 3; do /bin/true; done"], GitHub("101"));
        job.WaitForExit();
        harness.WaitFor<ProcessExited>(x => x.Process.Pid == job.Id);
        harness.WaitForQuiet(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10));

        var replay = new TrackerReplay(harness.Events);
        var started = Assert.Single(replay.Started, j => j.Id == $"github-{RunPrefix}101-1-build");
        Assert.Equal(job.Id, started.Root.Pid);
        var descendants = Descendants(harness.Events, started.Root);
        Assert.True(descendants.Count >= 7, $"only {descendants.Count} descendants seen");
        Assert.All(descendants, key => Assert.Equal(started.Id, replay.JobOf(key)));
        Assert.Contains("/usr/bin/curl", started.Executables.Keys);
        Assert.Contains(started, replay.Ended);
        Assert.DoesNotContain(harness.Events.OfType<ProcessExecuted>(), e => e.Details.JobMarkers.ContainsKey("AWS_SECRET_ACCESS_KEY"));
    }

    [Fact]
    public void A_setsid_double_forked_helper_that_outlives_its_parent_stays_in_the_job()
    {
        using var harness = new SensorHarness();
        using var job = Support.Processes.Start("/bin/sh", ["-c", "( setsid sh -c 'sleep 1; /bin/true' & ); exit 0"], GitHub("102"));
        job.WaitForExit();
        var root = harness.WaitFor<ProcessForked>(f => f.Child.Pid == job.Id).Child;
        var helper = harness.WaitFor<ProcessExecuted>(e => e.Details.Argv.Count > 0 && e.Details.Argv[0] == "sleep"
                                                          && Descendants(harness.Events, root).Contains(e.Process));

        var duringHelper = new TrackerReplay(harness.Events);
        Assert.Equal($"github-{RunPrefix}102-1-build", duringHelper.JobOf(helper.Process));
        Assert.Contains(duringHelper.Tracker.ActiveJobs, j => j.Id == $"github-{RunPrefix}102-1-build");

        harness.WaitFor<ProcessExited>(x => x.Process == helper.Process, TimeSpan.FromSeconds(10));
        // The job ends with the last exit after the helper's (its shell's): waited for as such, not guessed from a
        // quiet spell, which the suite's other tests (forking in parallel) may delay or cut short.
        var jobId = $"github-{RunPrefix}102-1-build";
        var after = new TrackerReplay(harness.Events);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!after.Ended.Any(j => j.Id == jobId) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
            after = new TrackerReplay(harness.Events);
        }

        var ended = after.Ended.FirstOrDefault(j => j.Id == jobId);
        Assert.True(ended is not null, $"job not ended; {LiveMembers(after, jobId)}; losses: {harness.Events.OfType<SensorLoss>().Sum(l => l.Lost)}");
        Assert.True(ended.EndedAt >= helper.Time, $"ended at {ended.EndedAt:O}, before the helper exec'd at {helper.Time:O}");
    }

    private static string LiveMembers(TrackerReplay replay, string jobId)
    {
        var live = replay.Tracker.Processes.Live.Where(p => p.JobId == jobId).ToList();
        return $"{live.Count} live member(s): " + string.Join(", ", live.Select(p =>
            $"{p.Key.Pid}@{p.Key.StartTime} {p.Details.Exe} {(Directory.Exists($"/proc/{p.Key.Pid}") ? "alive" : "gone")}"));
    }

    [Fact]
    public void A_GitLab_job_and_a_Jenkins_job_running_side_by_side_stay_separate()
    {
        using var harness = new SensorHarness();
        var loop = "for i in 1 2 3 4 5; do /bin/true; sleep 0.05; done";
        using var gitlab = Support.Processes.Start("/bin/sh", ["-c", loop],
            new Dictionary<string, string> { ["GITLAB_CI"] = "true", ["CI_JOB_ID"] = RunPrefix + "201", ["CI_PROJECT_PATH"] = "g/p" });
        using var jenkins = Support.Processes.Start("/bin/sh", ["-c", loop],
            new Dictionary<string, string> { ["BUILD_TAG"] = $"jenkins-app-{RunPrefix}", ["JENKINS_URL"] = "http://ci.test/" });
        gitlab.WaitForExit();
        jenkins.WaitForExit();
        // A shell exits after its children: once both exits are read, so are all of their forks (a quiet spell
        // alone is no proof under the suite's parallel load, where the reader can lag by more than that).
        harness.WaitFor<ProcessExited>(x => x.Process.Pid == gitlab.Id, TimeSpan.FromSeconds(20));
        harness.WaitFor<ProcessExited>(x => x.Process.Pid == jenkins.Id, TimeSpan.FromSeconds(20));
        harness.WaitForQuiet(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10));

        var replay = new TrackerReplay(harness.Events);
        var gitlabJob = Assert.Single(replay.Started, j => j.Id == $"gitlab-{RunPrefix}201");
        var jenkinsJob = Assert.Single(replay.Started, j => j.Id == $"jenkins-jenkins_app_{RunPrefix}");
        Assert.All(Descendants(harness.Events, gitlabJob.Root), k => Assert.Equal(gitlabJob.Id, replay.JobOf(k)));
        Assert.All(Descendants(harness.Events, jenkinsJob.Root), k => Assert.Equal(jenkinsJob.Id, replay.JobOf(k)));
        Assert.True(Descendants(harness.Events, gitlabJob.Root).Count >= 10);
    }

    [Fact]
    public void A_job_started_before_the_daemon_is_adopted_from_the_start_scan()
    {
        using var job = Support.Processes.Start("/bin/sh", ["-c", "sleep 3"], GitHub("103"));
        Thread.Sleep(200);
        using var harness = new SensorHarness();

        var replay = new TrackerReplay(harness.Events);
        var adopted = Assert.Single(replay.Started, j => j.Id == $"github-{RunPrefix}103-1-build");
        Assert.Equal(job.Id, adopted.Root.Pid);
        Assert.True(adopted.LiveProcesses >= 2, "the shell and its sleep");
        job.Kill();
    }

    /// <summary>Every process forked under <paramref name="root"/>, by identity, from the fork events.</summary>
    internal static HashSet<ProcessKey> Descendants(IEnumerable<SensorEvent> events, ProcessKey root)
    {
        var set = new HashSet<ProcessKey> { root };
        foreach (var fork in events.OfType<ProcessForked>())
        {
            if (set.Contains(fork.Parent))
            {
                set.Add(fork.Child);
            }
        }

        return set;
    }
}
