using BuildSentry.Core.Events;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Tests.Processes;

/// <summary>
/// The uid and gid of a process are the owner of its /proc/PID directory, which must be exactly the
/// effective ids of its status, and never root's for a process that is gone.
/// </summary>
public sealed class ProcFsOwnerTests
{
    // A real uid that differs from the effective one makes the exec'd process not dumpable: the files
    // in its /proc/PID are then owned by root, the directory still by its effective ids.
    private static readonly string[] NotDumpable = ["--ruid=1000", "--euid=1234", "--rgid=1001", "--egid=1002", "--clear-groups"];

    private readonly ProcFs _procFs = new();

    [Fact]
    public void The_ids_of_a_process_that_is_not_dumpable_are_its_effective_ids_as_its_status_shows_them()
    {
        Support.Root.Require();
        using var process = Support.Processes.Start("/usr/bin/setpriv", [.. NotDumpable, "/bin/sleep", "30"]);
        try
        {
            var pid = process.Id;
            Assert.True(SpinWait.SpinUntil(() => _procFs.ReadArgv(pid) is ["/bin/sleep", "30"], TimeSpan.FromSeconds(10)));
            Assert.Equal(0u, FileOwner($"/proc/{pid}/status"));
            var details = _procFs.ReadDetails(pid, _procFs.TryGetKey(pid)!.Value.StartTime);
            Assert.Equal((1234, 1002), (details.Uid, details.Gid));
            Assert.Equal(StatusEffectiveIds(pid), (details.Uid, details.Gid));
        }
        finally
        {
            process.Kill();
        }
    }

    [Fact]
    public void A_zombie_reads_as_what_is_left_of_it_with_its_effective_ids()
    {
        Support.Root.Require();
        // The short sleep ends after the shell became the long one, which never waits for it. (sh, unlike
        // sleep, would give up an effective uid that differs from the real one: both are set here.)
        using var parent = Support.Processes.Start(
            "/usr/bin/setpriv", ["--reuid=1234", "--regid=1002", "--clear-groups", "/bin/sh", "-c", "/bin/sleep 0.2 & echo $!; exec /bin/sleep 30"]);
        try
        {
            var pid = int.Parse(parent.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(SpinWait.SpinUntil(() => _procFs.TryReadState(pid, out var state) && state == 'Z', TimeSpan.FromSeconds(10)));
            Assert.Equal(0u, FileOwner($"/proc/{pid}/status"));
            var details = _procFs.ReadDetails(pid, _procFs.TryGetKey(pid)!.Value.StartTime);
            Assert.NotSame(ProcessDetails.Unknown, details);
            Assert.Equal(("sleep", "", ""), (details.Comm, details.Exe, details.Cwd));
            Assert.Equal((1234, 1002), (details.Uid, details.Gid));
            Assert.Equal(StatusEffectiveIds(pid), (details.Uid, details.Gid));
            Assert.Empty(details.Argv);
            Assert.Empty(details.JobMarkers);
        }
        finally
        {
            parent.Kill();
        }
    }

    [Fact]
    public void Details_of_a_process_gone_before_they_are_read_have_unknown_ids_not_root_ones()
    {
        using var process = Support.Processes.Start("/bin/sleep", ["30"]);
        Assert.True(_procFs.TryReadStat(process.Id, out var stat));
        process.Kill();
        process.WaitForExit();

        var details = _procFs.ReadDetails(process.Id, stat);
        Assert.Equal((-1, -1), (details.Uid, details.Gid));
        Assert.Equal(("sleep", ""), (details.Comm, details.Exe));
        Assert.Same(ProcessDetails.Unknown, _procFs.ReadDetails(process.Id, stat.StartTime));
    }

    private static (int Uid, int Gid) StatusEffectiveIds(int pid)
    {
        var lines = File.ReadAllLines($"/proc/{pid}/status");
        int Effective(string key) => int.Parse(lines.Single(l => l.StartsWith(key, StringComparison.Ordinal)).Split('\t')[2],
            System.Globalization.CultureInfo.InvariantCulture);
        return (Effective("Uid:"), Effective("Gid:"));
    }

    private static unsafe uint FileOwner(string path)
    {
        Tmds.Linux.stat st;
        fixed (byte* p = System.Text.Encoding.UTF8.GetBytes(path + "\0"))
        {
            Assert.Equal(0, Tmds.Linux.LibC.stat(p, &st));
        }

        return st.st_uid;
    }
}
