using System.Text;
using BuildSentry.Linux.Interop;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Tests.Interop;

public sealed class ProcDirectoryTests
{
    private const string NsLastPid = "/proc/sys/kernel/ns_last_pid";

    [Fact]
    public void Files_read_through_a_live_process_directory_are_that_process_files()
    {
        using var process = Support.Processes.Start("/bin/sleep", ["30"], cwd: "/tmp");
        try
        {
            using var dir = ProcDirectory.Open("/proc", process.Id);
            Assert.True(dir.IsOpen);
            Span<byte> buffer = stackalloc byte[1024];
            var length = dir.Read("stat", buffer);
            Assert.True(ProcStat.TryParse(buffer[..length], out var stat));
            Assert.Equal(new ProcFs().TryGetKey(process.Id)!.Value.StartTime, stat.StartTime);
            Assert.Equal(Environment.ProcessId, stat.Ppid);
            Assert.Equal("/bin/sleep\030\0", Encoding.UTF8.GetString(buffer[..dir.Read("cmdline", buffer)]));
            Assert.Equal("/usr/bin/sleep", dir.ReadLink("exe"));
            Assert.Equal("/tmp", dir.ReadLink("cwd"));
        }
        finally
        {
            process.Kill();
        }
    }

    [Fact]
    public void The_directory_of_a_process_that_exited_before_it_was_opened_is_closed_and_reads_fail()
    {
        using var process = Support.Processes.Start("/bin/true", []);
        process.WaitForExit();
        using var dir = ProcDirectory.Open("/proc", process.Id);
        Assert.False(dir.IsOpen);
        Assert.Equal(-1, dir.Read("stat", new byte[1024]));
        Assert.Null(dir.ReadLink("exe"));
    }

    [Fact]
    public void A_directory_opened_for_a_process_that_then_exits_fails_every_read()
    {
        using var process = Support.Processes.Start("/bin/sleep", ["30"]);
        using var dir = ProcDirectory.Open("/proc", process.Id);
        Assert.True(dir.IsOpen);
        process.Kill();
        process.WaitForExit();

        var buffer = new byte[4096];
        foreach (var leaf in new[] { "stat", "status", "cmdline", "environ" })
        {
            Assert.Equal(-1, dir.Read(leaf, buffer));
        }

        Assert.Null(dir.ReadLink("exe"));
        Assert.Null(dir.ReadLink("cwd"));
    }

    [Fact]
    public void A_directory_opened_for_a_process_never_reads_the_process_that_reuses_its_pid()
    {
        Support.Root.Require();
        using var first = Support.Processes.Start("/bin/sleep", ["30"]);
        var pid = first.Id;
        using var dir = ProcDirectory.Open("/proc", pid);
        first.Kill();
        first.WaitForExit();

        using var second = StartWithPid(pid, "/bin/sleep", ["31"]);
        try
        {
            var buffer = new byte[1024];
            // The new process may still be between fork and exec (its cmdline empty) when Start returns under load.
            string CmdlineOfPid() => Encoding.UTF8.GetString(buffer, 0, Math.Max(0, ProcFile.Read("/proc", pid, "cmdline", buffer)));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (CmdlineOfPid() != "/bin/sleep\031\0" && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
            }

            Assert.Equal("/bin/sleep\031\0", CmdlineOfPid());
            Assert.Equal(-1, dir.Read("cmdline", buffer));
            Assert.Equal(-1, dir.Read("stat", buffer));
            Assert.Null(dir.ReadLink("exe"));
        }
        finally
        {
            second.Kill();
        }
    }

    /// <summary>Reuses a pid on purpose: the next pid the kernel hands out follows ns_last_pid. Other
    /// processes on the host may take it first, hence the retries.</summary>
    private static System.Diagnostics.Process StartWithPid(int pid, string file, string[] args)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            File.WriteAllText(NsLastPid, (pid - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var process = Support.Processes.Start(file, args);
            if (process.Id == pid)
            {
                return process;
            }

            process.Kill();
            process.WaitForExit();
            process.Dispose();
        }

        throw new InvalidOperationException($"pid {pid} could not be reused in 200 attempts.");
    }
}
