using System.Text;
using BuildSentry.Control;

namespace BuildSentry.Tests.Control;

public sealed class ControlServerTests
{
    [Theory]
    [InlineData(ControlCommands.JobStart)]
    [InlineData(ControlCommands.JobEnd)]
    [InlineData(ControlCommands.Status)]
    [InlineData(ControlCommands.Reload)]
    public async Task Every_command_reaches_the_daemon_and_its_answer_reaches_the_client(string command)
    {
        await using var server = TestControlServer.Start();

        var response = await server.SendAsync(new ControlRequest(command) { JobId = "job-1", RootPid = 4242 });

        Assert.True(response.Ok, response.Message);
        var (request, _) = Assert.Single(server.Daemon.Requests);
        Assert.Equal(command, request.Command);
        Assert.Equal("job-1", request.JobId);
        Assert.Equal(4242, request.RootPid);
        if (command == ControlCommands.Status)
        {
            Assert.Equal(1234, (int)response.Body!["counters"]!["events"]!);
        }
        else
        {
            Assert.Equal($"{command} done", response.Message);
        }
    }

    [Fact]
    public async Task The_daemon_learns_the_peer_from_the_kernel_not_from_the_client()
    {
        await using var server = TestControlServer.Start();

        await server.SendAsync(new ControlRequest(ControlCommands.Status));

        var (_, peer) = Assert.Single(server.Daemon.Requests);
        Assert.Equal(Environment.ProcessId, peer.Pid);
        Assert.Equal((int)(uint)Tmds.Linux.LibC.geteuid(), peer.Uid);
        Assert.Equal((int)(uint)Tmds.Linux.LibC.getegid(), peer.Gid);
    }

    [Fact]
    public async Task The_wire_format_is_one_camel_case_json_line_each_way()
    {
        await using var server = TestControlServer.Start();

        var answer = await RawClient.ExchangeAsync(server.SocketPath,
            Encoding.UTF8.GetBytes("{\"command\":\"job-start\",\"rootPid\":7,\"jobId\":\"x\",\"ci\":\"gitlab\",\"metadata\":{\"CI_JOB_ID\":\"9\"}}\n"));

        Assert.Equal("{\"ok\":true,\"message\":\"job-start done\"}\n", answer);
        var (request, _) = Assert.Single(server.Daemon.Requests);
        Assert.Equal(("gitlab", 7, "9"), (request.Ci, request.RootPid, request.Metadata!["CI_JOB_ID"]));
    }

    [Fact]
    public async Task Metadata_keys_that_are_not_job_markers_never_reach_the_daemon_and_values_are_cut()
    {
        await using var server = TestControlServer.Start();
        var metadata = new Dictionary<string, string>
        {
            ["GITHUB_RUN_ID"] = "42",
            ["GITHUB_JOB"] = new string('j', 1000),
            ["AWS_SECRET_ACCESS_KEY"] = "hunter2",
            ["github_run_id"] = "lowercase is another key",
        };

        var response = await server.SendAsync(new ControlRequest(ControlCommands.JobStart) { Metadata = metadata });

        Assert.True(response.Ok);
        var (request, _) = Assert.Single(server.Daemon.Requests);
        Assert.Equal(["GITHUB_JOB", "GITHUB_RUN_ID"], request.Metadata!.Keys.Order(StringComparer.Ordinal));
        Assert.True(request.Metadata["GITHUB_JOB"].Length <= Core.Jobs.JobMarkers.MaxValueLength);
    }

    [Fact]
    public async Task A_request_line_may_end_with_crlf_or_with_the_client_closing_its_side()
    {
        await using var server = TestControlServer.Start();

        var crlf = await RawClient.ExchangeAsync(server.SocketPath, "{\"command\":\"reload\"}\r\n"u8.ToArray());
        using var socket = await RawClient.ConnectAsync(server.SocketPath);
        await socket.SendAsync("{\"command\":\"reload\"}"u8.ToArray());
        socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        var halfClosed = await RawClient.ReadToEndAsync(socket, CancellationToken.None);

        Assert.StartsWith("{\"ok\":true", crlf, StringComparison.Ordinal);
        Assert.StartsWith("{\"ok\":true", halfClosed, StringComparison.Ordinal);
        Assert.Equal(2, server.Daemon.Requests.Count);
    }
}
