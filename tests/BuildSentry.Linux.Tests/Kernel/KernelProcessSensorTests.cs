using BuildSentry.Core.Events;
using BuildSentry.Linux.Kernel;
using BuildSentry.Linux.Processes;
using BuildSentry.Linux.Tests.Processes;

namespace BuildSentry.Linux.Tests.Kernel;

[Collection(SensorCollection.Name)]
public sealed class KernelProcessSensorTests
{
    private static readonly ProcFs Proc = new();

    [Fact]
    public void A_shell_and_its_child_are_seen_forking_executing_and_exiting_with_the_start_times_proc_shows()
    {
        using var harness = new KernelSensorHarness();
        var marker = $"bs-kernel-{Guid.NewGuid():N}";
        using var shell = Support.Processes.Start("/bin/sh", ["-c", "/bin/sleep 1; exit 3", marker]);

        var shellFork = harness.WaitFor<ProcessForked>(f => f.Child.Pid == shell.Id);
        Assert.Equal(Proc.TryGetKey(shell.Id), shellFork.Child);
        Assert.Equal(Proc.TryGetKey(Environment.ProcessId), shellFork.Parent);
        Assert.NotEqual(0UL, shellFork.KernelTimeNs);
        var sleepFork = harness.WaitFor<ProcessForked>(f => f.Parent == shellFork.Child);
        Assert.Equal(Proc.TryGetKey(sleepFork.Child.Pid), sleepFork.Child);

        var shellExec = harness.WaitFor<ProcessExecuted>(e => e.Process == shellFork.Child);
        Assert.Equal("/bin/sh", shellExec.Details.Exe);
        Assert.Equal(["/bin/sh", "-c", "/bin/sleep 1; exit 3", marker], shellExec.Details.Argv);
        Assert.Equal(Environment.CurrentDirectory, shellExec.Details.Cwd);
        Assert.Equal((0, 0), (shellExec.Details.Uid, shellExec.Details.Gid));
        var sleepExec = harness.WaitFor<ProcessExecuted>(e => e.Process == sleepFork.Child);
        Assert.Equal(("/bin/sleep", "sleep"), (sleepExec.Details.Exe, sleepExec.Details.Comm));
        Assert.Equal(["/bin/sleep", "1"], sleepExec.Details.Argv);

        shell.WaitForExit();
        harness.WaitFor<ProcessExited>(x => x.Process == sleepFork.Child && x.ExitCode == 0);
        harness.WaitFor<ProcessExited>(x => x.Process == shellFork.Child && x.ExitCode == 3);
        Assert.Single(harness.Events.OfType<ProcessExited>(), x => x.Process == shellFork.Child);
        Assert.Equal(0, harness.Sensor.Counters.ExecsUnread);
        Assert.DoesNotContain(harness.Events, e => e is ProcessCommChanged c && (c.Process == shellFork.Child || c.Process == sleepFork.Child));
    }

    [Fact]
    public void A_process_that_renames_itself_is_seen_with_its_new_name()
    {
        using var harness = new KernelSensorHarness();
        using var shell = Support.Processes.Start("/bin/sh", ["-c", @"printf 'bs-renamed\033' > /proc/$$/comm; /bin/sleep 0.2"]);
        shell.WaitForExit();

        // The name is the process's own choice of bytes: the control character reaches the event escaped.
        harness.WaitFor<ProcessCommChanged>(c => c.Process.Pid == shell.Id && c.Comm == @"bs-renamed\x1b");
    }

    [Fact]
    public void An_exec_carries_the_filename_as_the_caller_named_it_not_resolved()
    {
        using var harness = new KernelSensorHarness();
        var marker = $"bs-relative-{Guid.NewGuid():N}";
        using var shell = Support.Processes.Start("/bin/sh", ["-c", $"exec ./true {marker}"], cwd: "/bin");
        shell.WaitForExit();

        var exec = harness.WaitFor<ProcessExecuted>(e => e.Details.Argv.Contains(marker));
        Assert.Equal("./true", exec.Details.Exe);
        Assert.Equal(["./true", marker], exec.Details.Argv);
    }

    [Fact]
    public void A_long_argv_is_cut_at_the_bound_exactly_as_proc_cmdline_is_read()
    {
        using var harness = new KernelSensorHarness();
        var marker = $"bs-long-{Guid.NewGuid():N}";
        var filler = Enumerable.Range(0, 300).Select(i => $"argument-{i:D4}").ToList();
        using var shell = Support.Processes.Start("/bin/sh", ["-c", "/bin/sleep 1", marker, .. filler]);

        var exec = harness.WaitFor<ProcessExecuted>(e => e.Details.Argv.Contains(marker) && e.Process.Pid == shell.Id);
        Assert.Equal(CmdlineParser.TruncationMarker, exec.Details.Argv[^1]);
        Assert.Equal(Proc.ReadArgv(shell.Id), exec.Details.Argv);
        shell.WaitForExit();
    }

    [Fact]
    public void Hostile_bytes_in_argv_reach_the_event_escaped_as_proc_cmdline_parsing_escapes_them()
    {
        using var harness = new KernelSensorHarness();
        var marker = $"bs-hostile-{Guid.NewGuid():N}";
        const string Exec = "import os, sys; os.execv('/bin/true', [b'/bin/true', sys.argv[1].encode(), b'\\xff\\xfe\\x1b[31m\\n', b''])";
        using var python = Support.Processes.Start("/usr/bin/python3", ["-c", Exec, marker]);
        python.WaitForExit();

        var exec = harness.WaitFor<ProcessExecuted>(e => e.Details.Exe == "/bin/true" && e.Details.Argv.Contains(marker));
        byte[] cmdline = [.. "/bin/true\0"u8, .. System.Text.Encoding.ASCII.GetBytes(marker + "\0"), 0xff, 0xfe, 0x1b, .. "[31m\n\0"u8, 0];
        Assert.Equal(CmdlineParser.Parse(cmdline), exec.Details.Argv);
        Assert.DoesNotContain(exec.Details.Argv, a => a.Any(char.IsControl));
        Assert.Equal(4, exec.Details.Argv.Count);
    }

    [Fact]
    public void A_process_killed_by_a_signal_exits_with_128_plus_the_signal()
    {
        using var harness = new KernelSensorHarness();
        using var sleeper = Support.Processes.Start("/bin/sleep", ["30"]);
        var fork = harness.WaitFor<ProcessForked>(f => f.Child.Pid == sleeper.Id);
        sleeper.Kill();
        sleeper.WaitForExit();

        harness.WaitFor<ProcessExited>(x => x.Process == fork.Child && x.ExitCode == 128 + 9);
    }

    [Fact]
    public void Threads_are_not_processes_and_a_process_with_threads_exits_once()
    {
        using var harness = new KernelSensorHarness();
        const string Threads = """
            import threading, time, os
            tids = []
            def work():
                tids.append(threading.get_native_id())
                time.sleep(0.3)
            ts = [threading.Thread(target=work) for _ in range(4)]
            [t.start() for t in ts]
            time.sleep(0.1)
            print(' '.join(map(str, tids)), flush=True)
            [t.join() for t in ts]
            """;
        using var python = Support.Processes.Start("/usr/bin/python3", ["-c", Threads]);
        var tids = python.StandardOutput.ReadLine()!.Split(' ').Select(int.Parse).ToList();
        python.WaitForExit();

        var fork = harness.WaitFor<ProcessForked>(f => f.Child.Pid == python.Id);
        harness.WaitFor<ProcessExited>(x => x.Process == fork.Child);
        Thread.Sleep(100);
        Assert.Equal(4, tids.Distinct().Count());
        Assert.DoesNotContain(harness.Events, e => e is ProcessForked f && tids.Contains(f.Child.Pid));
        Assert.DoesNotContain(harness.Events, e => e is ProcessExited x && tids.Contains(x.Process.Pid));
        Assert.Single(harness.Events.OfType<ProcessExited>(), x => x.Process.Pid == python.Id);
    }
}
