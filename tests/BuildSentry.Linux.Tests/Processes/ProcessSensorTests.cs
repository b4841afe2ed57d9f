using BuildSentry.Core.Events;
using BuildSentry.Linux.Tests.Support;

namespace BuildSentry.Linux.Tests.Processes;

[Collection(SensorCollection.Name)]
public sealed class ProcessSensorTests
{
    [Fact]
    public void A_shell_and_its_child_are_seen_forking_executing_and_exiting_with_their_lineage()
    {
        using var harness = new SensorHarness();
        var marker = $"bs-lineage-{Guid.NewGuid():N}";
        using var shell = Support.Processes.Start("/bin/sh", ["-c", "/bin/sleep 0.3; exit 3", marker]);
        shell.WaitForExit();

        var shellFork = harness.WaitFor<ProcessForked>(f => f.Child.Pid == shell.Id);
        Assert.Equal(Environment.ProcessId, shellFork.Parent.Pid);
        var shellExec = harness.WaitFor<ProcessExecuted>(e => e.Process == shellFork.Child);
        Assert.Equal(["/bin/sh", "-c", "/bin/sleep 0.3; exit 3", marker], shellExec.Details.Argv);
        Assert.Equal(RealName("/bin/sh"), Path.GetFileName(shellExec.Details.Exe));
        Assert.Equal(Environment.CurrentDirectory, shellExec.Details.Cwd);
        Assert.Equal(0, shellExec.Details.Uid);

        var sleepFork = harness.WaitFor<ProcessForked>(f => f.Parent == shellFork.Child);
        var sleepExec = harness.WaitFor<ProcessExecuted>(e => e.Process == sleepFork.Child);
        Assert.Equal(["/bin/sleep", "0.3"], sleepExec.Details.Argv);
        Assert.Equal(RealName("/bin/sleep"), Path.GetFileName(sleepExec.Details.Exe));
        Assert.Equal("sleep", sleepExec.Details.Comm);
        harness.WaitFor<ProcessExited>(x => x.Process == sleepFork.Child && x.ExitCode == 0);
        harness.WaitFor<ProcessExited>(x => x.Process == shellFork.Child && x.ExitCode == 3);
    }

    [Fact]
    public void An_exit_read_late_is_dated_when_the_process_exited_not_when_it_was_read()
    {
        Root.Require();
        using var open = new ManualResetEventSlim(true);
        var events = new System.Collections.Concurrent.ConcurrentQueue<SensorEvent>();
        using var sensor = new Linux.Processes.ProcessSensor(new GatedWriter(open, events));
        sensor.Start();
        Enforcement.ProcessTree.WaitFor(() => events.Any(e => e is ProcessRescanned), "the start scan");

        // The reader blocks on its next event, as it does while a kill holds the monitor.
        open.Reset();
        using var child = Support.Processes.Start("/bin/true", []);
        child.WaitForExit();
        var exitedBy = DateTimeOffset.UtcNow;
        Thread.Sleep(500);
        var releasedAt = DateTimeOffset.UtcNow;
        open.Set();

        Enforcement.ProcessTree.WaitFor(() => events.Any(e => e is ProcessExited x && x.Process.Pid == child.Id), "the exit event");
        var exit = events.OfType<ProcessExited>().First(x => x.Process.Pid == child.Id);
        Assert.True(exit.Time <= exitedBy + TimeSpan.FromMilliseconds(50), $"exit dated {exit.Time:O}, process gone by {exitedBy:O}");
        Assert.True(releasedAt - exit.Time >= TimeSpan.FromMilliseconds(400), $"exit dated {exit.Time:O}, read after {releasedAt:O}");
        var fork = events.OfType<ProcessForked>().First(f => f.Child.Pid == child.Id);
        Assert.True(fork.Time <= exit.Time);
    }

    private sealed class GatedWriter(ManualResetEventSlim open, System.Collections.Concurrent.ConcurrentQueue<SensorEvent> events)
        : System.Threading.Channels.ChannelWriter<SensorEvent>
    {
        public override bool TryWrite(SensorEvent item)
        {
            open.Wait();
            events.Enqueue(item);
            return true;
        }

        public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(true);
    }

    [Fact]
    public void The_environment_of_a_child_of_a_settled_job_process_is_not_read()
    {
        var settled = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        using var harness = new SensorHarness(new Linux.Processes.ProcessSensorOptions { ParentJobSettled = pid => settled.ContainsKey(pid) });
        var env = new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_RUN_ID"] = "9", ["GITHUB_JOB"] = "b" };
        var go = Path.Combine(Path.GetTempPath(), $"bs-settled-{Guid.NewGuid():N}");
        using var shell = Support.Processes.Start("/bin/sh", ["-c", $"while [ ! -e {go} ]; do sleep 0.01; done; /bin/sleep 0.2"], env);
        settled[shell.Id] = true;
        File.WriteAllText(go, "");
        shell.WaitForExit();
        File.Delete(go);

        var shellExec = harness.WaitFor<ProcessExecuted>(e => e.Process.Pid == shell.Id);
        Assert.Equal("9", shellExec.Details.JobMarkers["GITHUB_RUN_ID"]);
        var sleepExec = harness.WaitFor<ProcessExecuted>(e => e.Details.Argv.SequenceEqual(["/bin/sleep", "0.2"])
                                                             && harness.Events.OfType<ProcessForked>().Any(f => f.Child == e.Process && f.Parent.Pid == shell.Id));
        Assert.Empty(sleepExec.Details.JobMarkers);
    }

    [Fact]
    public void A_process_that_exits_at_once_is_still_seen_forking_executing_and_exiting()
    {
        using var harness = new SensorHarness();
        using var shell = Support.Processes.Start("/bin/sh", ["-c", "true"]);
        shell.WaitForExit();

        var fork = harness.WaitFor<ProcessForked>(f => f.Child.Pid == shell.Id);
        Assert.Equal(Environment.ProcessId, fork.Parent.Pid);
        var exec = harness.WaitFor<ProcessExecuted>(e => e.Process == fork.Child);
        // Details read at exec race the exit: a zombie's cmdline reads empty, so a partial read is
        // legitimate; a wrong argv never is.
        Assert.True(exec.Details.Argv.Count == 0 || exec.Details.Argv.SequenceEqual(["/bin/sh", "-c", "true"]),
            $"argv was [{string.Join(", ", exec.Details.Argv)}]");
        harness.WaitFor<ProcessExited>(x => x.Process == fork.Child && x.ExitCode == 0);
    }

    [Fact]
    public void Two_hundred_short_lived_processes_are_all_seen_executing()
    {
        using var harness = new SensorHarness();
        var marker = $"bs-200-{Guid.NewGuid():N}";
        Support.Processes.Run(
            $"for i in $(seq 200); do /bin/sh -c 'sleep 0.01' {marker} $i; done", TimeSpan.FromSeconds(60));

        harness.WaitForQuiet(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(20));
        var seen = harness.Events.OfType<ProcessExecuted>()
            .Where(e => e.Details.Argv.Contains(marker)).Select(e => e.Details.Argv[^1]).ToHashSet();
        Assert.Equal(Enumerable.Range(1, 200).Select(i => i.ToString()).ToHashSet(), seen);

        // Other tests may run beside this one; whatever they made the sensor lose was counted and rescanned.
        if (harness.Sensor.Counters.EventsLost > 0)
        {
            Assert.Contains(harness.Events, e => e is ProcessRescanned { Reason: "loss" });
        }
    }

    [Fact]
    public void A_process_started_before_the_sensor_is_in_the_start_rescan()
    {
        using var sleeper = Support.Processes.Start("/bin/sleep", ["30"]);
        try
        {
            using var harness = new SensorHarness();
            var rescan = harness.WaitFor<ProcessRescanned>(r => r.Reason == "start");
            var snapshot = Assert.Single(rescan.Processes, p => p.Process.Pid == sleeper.Id);
            Assert.Equal(["/bin/sleep", "30"], snapshot.Details.Argv);
            Assert.Equal(Environment.ProcessId, snapshot.Parent.Pid);
            Assert.Equal(1, harness.Sensor.Counters.Rescans);
        }
        finally
        {
            sleeper.Kill();
        }
    }

    [Fact]
    public void Stopping_the_sensor_returns_promptly_and_a_second_dispose_is_harmless()
    {
        var harness = new SensorHarness();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        harness.Dispose();
        harness.Sensor.Dispose();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Dispose took {watch.Elapsed}.");
        Assert.Null(harness.Sensor.Fault);
    }

    /// <summary>The file name /bin/X finally points at (dash for sh); /bin itself may be a link to /usr/bin.</summary>
    private static string RealName(string path) =>
        Path.GetFileName(new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path);
}
