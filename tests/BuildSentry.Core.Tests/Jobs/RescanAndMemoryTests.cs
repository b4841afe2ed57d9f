using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Processes;
using static BuildSentry.Core.Tests.Jobs.TraceBuilder;

namespace BuildSentry.Core.Tests.Jobs;

public sealed class RescanAndMemoryTests
{
    private readonly RecordingObserver _observer = new();

    [Fact]
    public void A_start_scan_adopts_a_job_that_was_already_running_with_its_descendants()
    {
        var tracker = new JobTracker(_observer, _observer);
        var time = DateTimeOffset.UnixEpoch;
        tracker.Apply(new ProcessRescanned(time, "start",
        [
            new ProcessSnapshot(Key(12, 300), Key(11, 200), Details("/usr/bin/curl")),
            new ProcessSnapshot(Key(1, 1), default, Details("/sbin/init")),
            new ProcessSnapshot(Key(11, 200), Key(10, 100), Details("/bin/sh")),
            new ProcessSnapshot(Key(10, 100), Key(1, 1), Details("/bin/bash", GitHub())),
        ]));

        var job = Assert.Single(tracker.ActiveJobs);
        Assert.Equal(Key(10, 100), job.Root);
        Assert.Equal(3, job.LiveProcesses);
        Assert.True(tracker.Processes.TryGetLive(1, out var init));
        Assert.Null(init.JobId);
    }

    [Fact]
    public void A_rescan_after_loss_retires_processes_that_vanished_and_ends_their_job()
    {
        var tracker = new JobTracker(_observer, _observer);
        var trace = new TraceBuilder().Spawn(Key(1), Key(10), "/bin/bash", GitHub()).Spawn(Key(10), Key(11), "/bin/sh");
        trace.Add(new SensorLoss(trace.Now, "proc-connector", 42, "ENOBUFS"));
        trace.Add(new ProcessRescanned(trace.Now, "loss", [new ProcessSnapshot(Key(1), default, Details("/sbin/init"))]));
        foreach (var e in trace.Events)
        {
            tracker.Apply(e);
        }

        Assert.Equal(42, tracker.EventsLost);
        Assert.Single(_observer.Losses);
        Assert.Equal(1, tracker.Processes.LiveCount);
        Assert.Empty(tracker.ActiveJobs);
        Assert.Single(_observer.Ended);
    }

    [Fact]
    public void Exited_processes_stay_queryable_for_the_grace_period_and_are_then_evicted()
    {
        var tracker = new JobTracker(_observer, _observer,
            new JobTrackerOptions { Processes = new ProcessTableOptions { ExitedGracePeriod = TimeSpan.FromSeconds(5) } });
        var trace = new TraceBuilder().Spawn(Key(1), Key(10), "/usr/bin/curl").Exit(Key(10)).Tick(4000).Fork(Key(1), Key(11));
        foreach (var e in trace.Events)
        {
            tracker.Apply(e);
        }

        Assert.True(tracker.Processes.TryGet(Key(10), out var curl));
        Assert.Equal("/usr/bin/curl", curl.Details.Exe);

        tracker.Apply(new ProcessExited(trace.Now.AddSeconds(2), Key(11), 0));

        Assert.False(tracker.Processes.TryGet(Key(10), out _));
    }

    [Fact]
    public void A_storm_of_a_hundred_thousand_processes_leaves_the_table_within_its_bound()
    {
        var tracker = new JobTracker(_observer, _observer,
            new JobTrackerOptions { Processes = new ProcessTableOptions { MaxExited = 1000, ExitedGracePeriod = TimeSpan.FromHours(1) } });
        var time = DateTimeOffset.UnixEpoch;
        tracker.Apply(new ProcessRescanned(time, "start", [new ProcessSnapshot(Key(10), Key(1), Details("/bin/bash", GitHub()))]));
        for (var i = 0; i < 100_000; i++)
        {
            var child = Key(1000 + (i % 30_000), (ulong)(200 + i));
            tracker.Apply(new ProcessForked(time, child, Key(10)));
            tracker.Apply(new ProcessExecuted(time, child, Details("/bin/true")));
            tracker.Apply(new ProcessExited(time, child, 0));
        }

        var job = Assert.Single(tracker.ActiveJobs);
        Assert.Equal(1, tracker.Processes.LiveCount);
        Assert.Equal(1000, tracker.Processes.ExitedCount);
        Assert.Equal(1, job.LiveProcesses);
        Assert.Equal(100_001, job.ProcessesStarted);
        Assert.Equal(100_000, job.Executables["/bin/true"]);
    }
}
