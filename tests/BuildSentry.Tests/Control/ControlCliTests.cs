using BuildSentry.Control;
using BuildSentry.Tests.Cli;

namespace BuildSentry.Tests.Control;

/// <summary>The control commands run in-process against a real control server and a fake daemon.</summary>
public sealed class ControlCliTests
{
    [Fact]
    public async Task Job_start_passes_root_pid_ci_and_job_id_and_prints_the_daemons_answer()
    {
        await using var server = TestControlServer.Start();

        var (exitCode, output, error) = await Task.Run(() => CliRunner.Run(
            "job", "start", "--socket", server.SocketPath, "--root-pid", "4242", "--ci", "gitlab", "--job-id", "gitlab-7"));

        Assert.True(exitCode == 0, error);
        Assert.Equal("job-start done\n", output);
        var (request, _) = Assert.Single(server.Daemon.Requests);
        Assert.Equal((ControlCommands.JobStart, 4242, "gitlab", "gitlab-7"), (request.Command, request.RootPid, request.Ci, request.JobId));
    }

    [Fact]
    public async Task Job_start_without_root_pid_leaves_the_choice_to_the_daemon()
    {
        await using var server = TestControlServer.Start();

        var (exitCode, _, error) = await Task.Run(() => CliRunner.Run("job", "start", "--socket", server.SocketPath));

        Assert.True(exitCode == 0, error);
        var (request, _) = Assert.Single(server.Daemon.Requests);
        Assert.Null(request.RootPid);
        Assert.Null(request.JobId);
    }

    [Fact]
    public async Task Job_end_and_reload_send_their_commands()
    {
        await using var server = TestControlServer.Start();

        var end = await Task.Run(() => CliRunner.Run("job", "end", "--socket", server.SocketPath, "--job-id", "github-42-1-build"));
        var reload = await Task.Run(() => CliRunner.Run("reload", "--socket", server.SocketPath));

        Assert.Equal((0, "job-end done\n"), (end.ExitCode, end.Output));
        Assert.Equal((0, "reload done\n"), (reload.ExitCode, reload.Output));
        Assert.Equal(
            [(ControlCommands.JobEnd, "github-42-1-build"), (ControlCommands.Reload, null)],
            server.Daemon.Requests.Select(r => (r.Request.Command, r.Request.JobId)).ToArray());
    }

    [Fact]
    public async Task Status_prints_jobs_and_counters_as_tables_with_job_text_escaped()
    {
        await using var server = TestControlServer.Start();

        var (exitCode, output, error) = await Task.Run(() => CliRunner.Run("status", "--socket", server.SocketPath));

        Assert.True(exitCode == 0, error);
        Assert.Equal(
            """
            version: 1.0
            jobs (2):
              jobId              ci      rootPid  mode
              github-42-1-build  github  4242     kill
              gitlab-7           gitlab  77       audit\x1b[31m
            counters:
              events      1234
              lostEvents  0

            """,
            output);
    }

    [Fact]
    public async Task Status_json_prints_the_body_as_one_line_of_json()
    {
        await using var server = TestControlServer.Start();

        var (exitCode, output, _) = await Task.Run(() => CliRunner.Run("status", "--json", "--socket", server.SocketPath));

        Assert.Equal(0, exitCode);
        Assert.Equal(FakeDaemon.StatusBody().ToJsonString() + "\n", output);
    }

    [Fact]
    public async Task A_request_the_daemon_refuses_exits_1_with_its_reason_on_stderr()
    {
        var daemon = new FakeDaemon { Answer = (_, _) => Task.FromResult(new ControlResponse(false, "profiles invalid: web.yaml:3:1")) };
        await using var server = TestControlServer.Start(daemon: daemon);

        var (exitCode, output, error) = await Task.Run(() => CliRunner.Run("reload", "--socket", server.SocketPath));

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Equal("error: profiles invalid: web.yaml:3:1\n", error);
    }

    [Fact]
    public void Without_a_daemon_every_control_command_exits_3_and_asks_whether_it_runs()
    {
        var missing = Path.Combine("/tmp", "buildsentry-missing-" + Guid.NewGuid().ToString("N"), "control.sock");

        foreach (var args in new[] { ["status"], ["reload"], ["job", "start"], new[] { "job", "end" } })
        {
            var (exitCode, _, error) = CliRunner.Run([.. args, "--socket", missing]);

            Assert.Equal(3, exitCode);
            Assert.Equal($"error: no control socket at {missing}: is the daemon running?\n", error);
        }
    }

    [Fact]
    public async Task A_socket_file_nobody_listens_on_exits_3_and_says_so()
    {
        var directory = TestControlServer.NewDirectory();
        var path = Path.Combine(directory, "control.sock");
        try
        {
            var (created, _, pythonError) = await ChildProcess.RunAsync("/usr/bin/python3",
                ["-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path]);
            Assert.True(created == 0, pythonError);

            var (exitCode, _, error) = CliRunner.Run("status", "--socket", path);

            Assert.Equal(3, exitCode);
            Assert.Equal($"error: nothing is listening on {path}: is the daemon running?\n", error);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("job", "start", "--root-pid", "0")]
    [InlineData("job", "start", "--root-pid", "abc")]
    [InlineData("job", "start", "--ci", "teamcity")]
    [InlineData("status", "--frobnicate")]
    [InlineData("job")]
    public void A_wrong_command_line_exits_2(params string[] args)
    {
        var (exitCode, _, error) = CliRunner.Run(args);

        Assert.True(exitCode == 2, error);
    }

    [Fact]
    public void Every_control_command_documents_its_socket_option_and_exit_codes()
    {
        foreach (var args in new[] { ["status"], ["reload"], ["job", "start"], new[] { "job", "end" } })
        {
            var (exitCode, output, _) = CliRunner.Run([.. args, "--help"]);

            Assert.Equal(0, exitCode);
            Assert.Contains("--socket <PATH>", output, StringComparison.Ordinal);
            Assert.Contains("$BUILDSENTRY_CONTROL_SOCKET", output, StringComparison.Ordinal);
            Assert.Contains("3 daemon unreachable", output, StringComparison.Ordinal);
        }
    }
}
