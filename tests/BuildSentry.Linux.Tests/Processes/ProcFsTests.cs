using BuildSentry.Core.Events;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Tests.Processes;

public sealed class ProcFsTests
{
    private readonly ProcFs _procFs = new();

    [Fact]
    public void Job_markers_are_read_from_a_process_environment_and_nothing_else_is()
    {
        using var process = Support.Processes.Start("/bin/sleep", ["30"], new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true", ["GITHUB_RUN_ID"] = "4242", ["GITHUB_JOB"] = "build",
            ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI-secret",
        }, cwd: "/tmp");
        try
        {
            var key = _procFs.TryGetKey(process.Id)!.Value;
            var details = _procFs.ReadDetails(process.Id, key.StartTime);
            Assert.Equal("4242", details.JobMarkers["GITHUB_RUN_ID"]);
            Assert.Equal("build", details.JobMarkers["GITHUB_JOB"]);
            Assert.False(details.JobMarkers.ContainsKey("AWS_SECRET_ACCESS_KEY"));
            Assert.DoesNotContain(details.JobMarkers.Values, v => v.Contains("secret"));
            Assert.DoesNotContain("secret", System.Text.Json.JsonSerializer.Serialize(details));
            Assert.Equal(["/bin/sleep", "30"], details.Argv);
            Assert.Equal("/tmp", details.Cwd);
            Assert.Equal("sleep", details.Comm);
            Assert.Equal((0, 0), (details.Uid, details.Gid));
        }
        finally
        {
            process.Kill();
        }
    }

    [Fact]
    public void Details_read_without_markers_are_complete_but_for_the_markers_and_ask_about_the_parent()
    {
        using var process = Support.Processes.Start("/bin/sleep", ["30"], new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true", ["GITHUB_RUN_ID"] = "4242", ["GITHUB_JOB"] = "build",
        }, cwd: "/tmp");
        try
        {
            var key = _procFs.TryGetKey(process.Id)!.Value;
            var askedAbout = 0;
            var details = _procFs.ReadDetails(process.Id, key.StartTime, ppid => (askedAbout = ppid) > 0);
            Assert.Equal(Environment.ProcessId, askedAbout);
            Assert.Empty(details.JobMarkers);
            Assert.Equal(("/usr/bin/sleep", "/tmp", "sleep"), (details.Exe, details.Cwd, details.Comm));
            Assert.Equal(["/bin/sleep", "30"], details.Argv);
        }
        finally
        {
            process.Kill();
        }
    }

    [Fact]
    public void A_comm_with_spaces_and_parentheses_is_read_whole()
    {
        var dir = Directory.CreateTempSubdirectory("bs-comm");
        var link = Path.Combine(dir.FullName, "a) b (c");
        File.CreateSymbolicLink(link, "/bin/sleep");
        using var process = Support.Processes.Start(link, ["30"]);
        try
        {
            Assert.True(_procFs.TryReadStat(process.Id, out var stat));
            Assert.Equal("a) b (c", stat.Comm);
            Assert.Equal(Environment.ProcessId, stat.Ppid);
        }
        finally
        {
            process.Kill();
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_process_that_is_gone_or_a_reused_pid_reads_as_unknown()
    {
        using var process = Support.Processes.Start("/bin/true", []);
        var pid = process.Id;
        process.WaitForExit();
        Assert.Same(ProcessDetails.Unknown, _procFs.ReadDetails(pid));
        Assert.Null(_procFs.TryGetKey(pid));

        var self = _procFs.TryGetKey(Environment.ProcessId)!.Value;
        Assert.Same(ProcessDetails.Unknown, _procFs.ReadDetails(self.Pid, self.StartTime + 1));
        Assert.Empty(new ProcFs("/nonexistent").Scan());
    }

    [Fact]
    public void A_scan_lists_this_process_with_its_parent()
    {
        var self = Assert.Single(_procFs.Scan(), s => s.Process.Pid == Environment.ProcessId);
        Assert.Equal(_procFs.TryGetKey(Environment.ProcessId), self.Process);
        Assert.NotEqual(0UL, self.Parent.StartTime);
        Assert.Equal(Environment.ProcessPath, self.Details.Exe);
    }
}
