using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Tests.Processes;

/// <summary>The proc connector knows only the file a program resolved to: the path the exec named is taken from argv[0]
/// only where comm and the file itself prove it.</summary>
public sealed class ProcFsExecutedPathTests : IDisposable
{
    private readonly ProcFs _procFs = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("bs-exec-").FullName;

    [Fact]
    public void A_program_run_through_a_link_of_another_name_is_known_by_the_link_too()
    {
        var link = Path.Combine(_directory, "mysleep");
        File.CreateSymbolicLink(link, "/bin/sleep");

        var details = Read("exec " + link + " 30");

        Assert.Equal("/usr/bin/sleep", details.Exe);
        Assert.Equal("mysleep", details.Comm);
        Assert.Equal(link, details.OtherPath);
    }

    [Fact]
    public void A_bare_argv0_is_found_in_the_system_path_when_that_file_is_the_one_running()
    {
        var details = Read("export PATH=/usr/bin:/bin; exec python3 -c 'import time; time.sleep(30)'");

        Assert.StartsWith("/usr/bin/python3.", details.Exe);
        Assert.Equal("/usr/bin/python3", details.OtherPath);
    }

    [Fact]
    public void An_argv0_that_names_another_program_or_disagrees_with_comm_is_ignored()
    {
        var link = Path.Combine(_directory, "mysleep");
        File.CreateSymbolicLink(link, "/bin/sleep");

        Assert.Null(Read($"exec -a /usr/bin/python3 {link} 30").OtherPath);
        Assert.Null(Read($"exec -a {_directory}/other {link} 30").OtherPath);
        Assert.Null(Read($"exec -a mysleep {link} 30").OtherPath);
    }

    [Fact]
    public void A_program_run_by_its_own_name_has_no_other_path()
    {
        Assert.Null(Read("exec /bin/sleep 30").OtherPath);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Core.Events.ProcessDetails Read(string script)
    {
        using var process = Support.Processes.Start("/bin/bash", ["-c", script], cwd: _directory);
        try
        {
            // Until the script's exec, the process runs the test host (forked), then bash.
            var starting = new[] { "/usr/bin/bash", _procFs.ReadExe(Environment.ProcessId) };
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (starting.Contains(_procFs.ReadExe(process.Id)) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(5);
            }

            Thread.Sleep(50);
            var key = _procFs.TryGetKey(process.Id)!.Value;
            return _procFs.ReadDetails(process.Id, key.StartTime);
        }
        finally
        {
            process.Kill();
        }
    }
}
