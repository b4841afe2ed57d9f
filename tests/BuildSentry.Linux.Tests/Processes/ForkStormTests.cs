using System.Diagnostics;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Tests.Support;
using Xunit.Abstractions;

namespace BuildSentry.Linux.Tests.Processes;

[Collection(SensorCollection.Name)]
public sealed class ForkStormTests(ITestOutputHelper output)
{
    private const int LoopExecs = 20_000;
    private const int XargsExecs = 5_000;

    [Fact]
    public void Every_exec_of_a_fork_storm_is_either_seen_or_counted_as_lost_and_loss_is_followed_by_a_rescan()
    {
        using var harness = new SensorHarness();
        var cpuBefore = ThreadCpuTicks(harness.Sensor.ReaderThreadId);
        var watch = Stopwatch.StartNew();
        using var loop = Support.Processes.Start("/bin/sh", ["-c", $"for i in $(seq {LoopExecs}); do /bin/true; done"]);
        using var xargs = Support.Processes.Start("/bin/sh", ["-c", $"seq {XargsExecs} | xargs -P 4 -n 1 /bin/true"]);
        Assert.True(loop.WaitForExit(TimeSpan.FromMinutes(5)) && xargs.WaitForExit(TimeSpan.FromMinutes(5)));
        var elapsed = watch.Elapsed;
        harness.WaitForQuiet(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        var cpuAfter = ThreadCpuTicks(harness.Sensor.ReaderThreadId);
        var cpu = cpuAfter.User + cpuAfter.System - cpuBefore.User - cpuBefore.System;

        var events = harness.Events;
        var counters = harness.Sensor.Counters;
        var loopExecs = ExecsOfChildren(events, loop.Id);
        output.WriteLine($"{LoopExecs + XargsExecs} execs in {elapsed.TotalSeconds:F1} s " +
            $"({(LoopExecs + XargsExecs) / elapsed.TotalSeconds:F0}/s); counters {counters}; " +
            $"loop execs seen {loopExecs}; sensor thread CPU {cpu * 1000.0 / Linux.Interop.SysConf.ClockTicksPerSecond:F0} ms " +
            $"({cpu * 1000.0 / Linux.Interop.SysConf.ClockTicksPerSecond / ((LoopExecs + XargsExecs) / 1000.0):F1} ms per 1,000 execs); " +
            $"of which kernel {(cpuAfter.System - cpuBefore.System) * 1000.0 / Linux.Interop.SysConf.ClockTicksPerSecond:F0} ms; " +
            $"receive buffer {harness.Sensor.ReceiveBufferBytes} bytes");

        // The loop shell forks `seq` once and /bin/true LoopExecs times.
        Assert.InRange(loopExecs, 0, LoopExecs + 1);
        Assert.True(loopExecs + counters.EventsLost >= LoopExecs + 1,
            $"{LoopExecs + 1 - loopExecs} execs were neither seen nor counted as lost ({counters}).");
        Assert.True(counters.EventsReceived >= 3L * loopExecs);

        var losses = events.OfType<SensorLoss>().ToList();
        Assert.Equal(counters.Rescans - 1, events.OfType<ProcessRescanned>().Count(r => r.Reason == "loss"));
        if (counters.EventsLost > 0 || counters.Overruns > 0)
        {
            Assert.NotEmpty(losses);
            var lastLoss = events.ToList().LastIndexOf(losses[^1]);
            Assert.Contains(events.Skip(lastLoss + 1), e => e is ProcessRescanned { Reason: "loss" });
            Assert.True(losses.Sum(l => l.Lost) >= counters.EventsLost);
        }
        else
        {
            Assert.Empty(losses);
            Assert.Equal(LoopExecs + 1, loopExecs);
        }

        // What the tracker makes of it: no leaked entries, exited ones within their bound.
        var replay = new TrackerReplay(events);
        replay.AssertConsistentWithProc();
        Assert.True(replay.Tracker.Processes.ExitedCount <= new Core.Processes.ProcessTableOptions().MaxExited);
    }

    [Fact]
    public void A_socket_buffer_too_small_for_a_storm_loses_events_counts_them_and_rescans()
    {
        // The kernel's minimum receive buffer holds a few dozen messages: a storm overflows it for sure.
        using var harness = new SensorHarness(new Linux.Processes.ProcessSensorOptions { ReceiveBufferBytes = 1 });
        const int execs = 3_000;
        using var loop = Support.Processes.Start("/bin/sh", ["-c", $"seq {execs} | xargs -P 4 -n 1 /bin/true"]);
        Assert.True(loop.WaitForExit(TimeSpan.FromMinutes(2)));
        harness.WaitFor<ProcessRescanned>(r => r.Reason == "loss", TimeSpan.FromSeconds(30));
        harness.WaitForQuiet(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

        var counters = harness.Sensor.Counters;
        var events = harness.Events.ToList();
        output.WriteLine($"{counters}; receive buffer {harness.Sensor.ReceiveBufferBytes} bytes");
        Assert.True(counters.Overruns > 0 || counters.EventsLost > 0);
        var lastLoss = events.FindLastIndex(e => e is SensorLoss);
        Assert.True(lastLoss >= 0);
        Assert.Contains(events.Skip(lastLoss + 1), e => e is ProcessRescanned { Reason: "loss" });
        Assert.All(events.OfType<SensorLoss>(), l => Assert.True(l.Lost > 0 && l.Sensor == "proc-connector"));
        Assert.Equal(counters.Rescans - 1, events.OfType<ProcessRescanned>().Count(r => r.Reason == "loss"));

        // After the rescan the tracker's table matches /proc again despite the lost events.
        new TrackerReplay(events).AssertConsistentWithProc();
    }

    [Fact]
    public void Short_lived_processes_are_read_before_they_exit_while_the_build_keeps_every_core_busy()
    {
        using var harness = new SensorHarness();
        // The reader runs above the build (nice -10) and asks for the kernel's shortest slice, so that it takes a
        // core from the build as soon as an event wakes it: an exec's /proc entry is gone once the process exits.
        var reader = harness.Sensor.ReaderThreadId;
        Assert.Equal(ThreadNice.ProcessSensorThread, Scheduling.NiceOfThread(reader));
        Assert.Equal(ThreadNice.RaisedSliceNs, Scheduling.SliceOfThread(reader));

        // How many /bin/true are read in full depends on the machine as much as on the reader, so a plain thread
        // (nice 0, the default slice) is the control: rounds as the sensor set the reader and as a plain thread
        // alternate (ABBA, so that a drift in the machine's load weighs on both alike) under the same busy
        // loops, one per core.
        const int execsPerRound = 200;
        bool[] raisedRounds = [true, false, false, true];
        var named = new Dictionary<bool, int> { [true] = 0, [false] = 0 };
        var burners = Enumerable.Range(0, Environment.ProcessorCount)
            .Select(_ => Support.Processes.Start("/bin/sh", ["-c", "while :; do :; done"])).ToList();
        try
        {
            foreach (var raised in raisedRounds)
            {
                Assert.True(raised
                    ? ThreadNice.SetScheduling(reader, ThreadNice.ProcessSensorThread, ThreadNice.RaisedSliceNs)
                    : ThreadNice.SetScheduling(reader, 0, 0));
                var from = harness.Events.Count;
                using var loop = Support.Processes.Start("/bin/sh", ["-c", $"for i in $(seq {execsPerRound}); do /bin/true; done"]);
                Assert.True(loop.WaitForExit(TimeSpan.FromMinutes(2)));
                // The loop's exit comes after every exec of its children.
                harness.WaitFor(e => e is ProcessExited x && x.Process.Pid == loop.Id, TimeSpan.FromSeconds(30), from);
                var events = harness.Events.Skip(from).ToList();
                var children = events.OfType<ProcessForked>().Where(f => f.Parent.Pid == loop.Id).Select(f => f.Child).ToHashSet();
                var execs = events.OfType<ProcessExecuted>().Where(e => children.Contains(e.Process)).ToList();
                var full = execs.Count(e => e.Details.Exe.EndsWith("/true", StringComparison.Ordinal) && e.Details.Argv is ["/bin/true"]);
                output.WriteLine($"reader {(raised ? "raised" : "plain")}: {execs.Count} execs seen, {full} read in full");
                // The shell forks seq once and /bin/true execsPerRound times: every exec is seen, read or not.
                Assert.Equal(execsPerRound + 1, execs.Count);
                named[raised] += full;
            }
        }
        finally
        {
            ThreadNice.SetScheduling(reader, ThreadNice.ProcessSensorThread, ThreadNice.RaisedSliceNs);
            burners.ForEach(b => { b.Kill(); b.WaitForExit(); b.Dispose(); });
        }

        var perSetting = raisedRounds.Count(r => r) * execsPerRound;
        output.WriteLine($"{perSetting} /bin/true per setting beside {burners.Count} busy loops: read in full {named[true]} " +
            $"by the raised reader, {named[false]} by a plain one; {harness.Sensor.Counters}");
        // Every exec whose program was not read was counted (one read in part, say cmdline lost, is not).
        Assert.True(harness.Sensor.Counters.ExecsUnread >= harness.Events.OfType<ProcessExecuted>().Count(e => e.Details.ProgramUnread));
        Assert.True(named[true] >= perSetting * 9 / 10, $"the raised reader read only {named[true]} of {perSetting} short-lived execs before they exited");
        Assert.True(named[true] >= named[false] + perSetting / 10,
            $"the raised reader read {named[true]} of {perSetting} in full, a plain one {named[false]}: the test's processes live too long to tell");
    }

    [Fact]
    public void An_exec_whose_proc_entry_cannot_be_read_is_reported_without_details_and_counted_as_unread()
    {
        // A /proc with no processes in it: every exec is read "after the process has gone".
        var empty = Directory.CreateTempSubdirectory("bs-empty-proc-");
        try
        {
            using var harness = new SensorHarness(procFs: new Linux.Processes.ProcFs(empty.FullName));
            using var loop = Support.Processes.Start("/bin/sh", ["-c", "for i in 1 2 3 4 5; do /bin/true; done"]);
            Assert.True(loop.WaitForExit(TimeSpan.FromSeconds(30)));
            harness.WaitForQuiet(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));
            var events = harness.Events;
            var children = events.OfType<ProcessForked>().Where(f => f.Parent.Pid == loop.Id).Select(f => f.Child.Pid).ToHashSet();
            var execs = events.OfType<ProcessExecuted>().Where(e => children.Contains(e.Process.Pid)).ToList();
            Assert.Equal(5, execs.Count);
            Assert.All(execs, e => Assert.Same(ProcessDetails.Unknown, e.Details));
            Assert.True(harness.Sensor.Counters.ExecsUnread >= 5, harness.Sensor.Counters.ToString());
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    private static int ExecsOfChildren(IReadOnlyList<SensorEvent> events, int parentPid)
    {
        var children = events.OfType<ProcessForked>().Where(f => f.Parent.Pid == parentPid).Select(f => f.Child).ToHashSet();
        return events.OfType<ProcessExecuted>().Count(e => children.Contains(e.Process));
    }

    /// <summary>utime and stime of one thread of this process, in clock ticks.</summary>
    private static (long User, long System) ThreadCpuTicks(int tid)
    {
        var fields = StatFields.OfThread(tid);
        return (long.Parse(fields[14 - 3]), long.Parse(fields[15 - 3]));
    }
}
