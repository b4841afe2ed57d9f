using System.Diagnostics;
using System.Text;
using BuildSentry.Control;

namespace BuildSentry.Tests.Control;

public sealed class ControlServerRefusalTests
{
    [Fact]
    public async Task An_oversized_request_is_refused_with_a_clear_message_and_reported()
    {
        await using var server = TestControlServer.Start(o => o with { MaxRequestBytes = 1024 });
        var request = Encoding.UTF8.GetBytes("{\"command\":\"status\",\"jobId\":\"" + new string('a', 200_000) + "\"}\n");

        var answer = await RawClient.ExchangeAsync(server.SocketPath, request);

        Assert.Contains("\"ok\":false", answer, StringComparison.Ordinal);
        Assert.Contains("request longer than 1024 bytes", answer, StringComparison.Ordinal);
        Assert.Empty(server.Daemon.Requests);
        var (peer, reason) = Assert.Single(server.Daemon.Refusals);
        Assert.Equal(Environment.ProcessId, peer.Pid);
        Assert.Equal("request longer than 1024 bytes", reason);
    }

    [Theory]
    [InlineData("not json at all", "malformed request")]
    [InlineData("{\"command\":\"status\"", "malformed request")]
    [InlineData("[1,2,3]", "malformed request")]
    [InlineData("null", "malformed request: null")]
    [InlineData("{\"jobId\":\"x\"}", "malformed request: no command")]
    [InlineData("{\"command\":\"rm -rf /\\u001b[2J\"}", "unknown command 'rm -rf /\\x1b[2J'")]
    [InlineData("{\"command\":\"job-start\",\"rootPid\":-1}", "rootPid -1 is not a process id")]
    [InlineData("{\"command\":\"job-start\",\"rootPid\":\"1\"}", "malformed request")]
    [InlineData("{\"command\":\"status\",\"metadata\":{\"a\":{\"b\":1}}}", "malformed request")]
    [InlineData("", "empty request")]
    public async Task A_malformed_request_is_refused_and_reported(string line, string expected)
    {
        await using var server = TestControlServer.Start();

        var answer = await RawClient.ExchangeAsync(server.SocketPath, Encoding.UTF8.GetBytes(line + "\n"));

        Assert.StartsWith("{\"ok\":false,\"message\":\"refused: ", answer, StringComparison.Ordinal);
        Assert.Empty(server.Daemon.Requests);
        var (_, reason) = Assert.Single(server.Daemon.Refusals);
        Assert.StartsWith(expected, reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_utf8_is_refused_not_thrown()
    {
        await using var server = TestControlServer.Start();

        var answer = await RawClient.ExchangeAsync(server.SocketPath, [.. "{\"command\":\""u8, 0xff, 0xfe, .. "\"}\n"u8]);

        Assert.Contains("\"ok\":false", answer, StringComparison.Ordinal);
        Assert.Single(server.Daemon.Refusals);
    }

    [Fact]
    public async Task A_client_that_sends_nothing_does_not_block_others_and_is_timed_out()
    {
        await using var server = TestControlServer.Start(o => o with { RequestTimeout = TimeSpan.FromSeconds(2) });
        using var silent = await RawClient.ConnectAsync(server.SocketPath);

        var clock = Stopwatch.StartNew();
        var response = await server.SendAsync(new ControlRequest(ControlCommands.Status));
        var othersWaited = clock.Elapsed;
        var silentAnswer = await RawClient.ReadToEndAsync(silent, new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);

        Assert.True(response.Ok);
        Assert.True(othersWaited < TimeSpan.FromSeconds(1), $"a request behind a silent client took {othersWaited}");
        Assert.Contains("no request line within 2 s", silentAnswer, StringComparison.Ordinal);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"the silent client was cut after {clock.Elapsed}");
    }

    [Fact]
    public async Task No_more_than_the_configured_number_of_requests_are_served_at_once()
    {
        var release = new TaskCompletionSource();
        var running = 0;
        var mostAtOnce = 0;
        var daemon = new FakeDaemon();
        daemon.Answer = async (_, _) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostAtOnce, now);
            await release.Task;
            Interlocked.Decrement(ref running);
            return new ControlResponse(true, "ok");
        };
        await using var server = TestControlServer.Start(o => o with { MaxConcurrentConnections = 2 }, daemon);

        var requests = Enumerable.Range(0, 5).Select(_ => server.SendAsync(new ControlRequest(ControlCommands.Reload))).ToList();
        await WaitUntil(() => Volatile.Read(ref running) == 2);
        await Task.Delay(300);
        var runningBeforeRelease = Volatile.Read(ref running);
        release.SetResult();
        var responses = await Task.WhenAll(requests);

        Assert.Equal(2, runningBeforeRelease);
        Assert.Equal(2, mostAtOnce);
        Assert.All(responses, r => Assert.True(r.Ok));
        Assert.Equal(5, daemon.Requests.Count);
    }

    [Fact]
    public async Task A_daemon_that_throws_or_hangs_fails_the_request_and_the_server_carries_on()
    {
        var daemon = new FakeDaemon();
        daemon.Answer = (request, _) => request.Command == ControlCommands.Reload
            ? throw new InvalidOperationException("secret internal detail")
            : new TaskCompletionSource<ControlResponse>().Task;
        await using var server = TestControlServer.Start(o => o with { HandlerTimeout = TimeSpan.FromMilliseconds(300) }, daemon);

        var thrown = await server.SendAsync(new ControlRequest(ControlCommands.Reload));
        var hung = await server.SendAsync(new ControlRequest(ControlCommands.Status));
        daemon.Answer = (_, _) => Task.FromResult(new ControlResponse(true, "fine again"));
        var after = await server.SendAsync(new ControlRequest(ControlCommands.Status));

        Assert.False(thrown.Ok);
        Assert.Equal("the daemon failed to handle the request; see its log", thrown.Message);
        Assert.False(hung.Ok);
        Assert.Equal("the daemon did not answer within 0.3 s", hung.Message);
        Assert.True(after.Ok);
    }

    [Fact]
    public async Task A_client_that_disconnects_without_a_word_is_neither_refused_nor_reported()
    {
        await using var server = TestControlServer.Start(o => o with { MaxConcurrentConnections = 2 });

        for (var i = 0; i < 50; i++)
        {
            (await RawClient.ConnectAsync(server.SocketPath)).Dispose();
        }

        var response = await server.SendAsync(new ControlRequest(ControlCommands.Status));
        Assert.True(response.Ok);
        Assert.Empty(server.Daemon.Refusals);
    }

    [Fact]
    public async Task Stopping_does_not_wait_for_a_silent_client_and_removes_the_socket_file()
    {
        var server = TestControlServer.Start(o => o with { RequestTimeout = TimeSpan.FromMinutes(5) });
        using var silent = await RawClient.ConnectAsync(server.SocketPath);
        await Task.Delay(100);

        var clock = Stopwatch.StartNew();
        await server.Server.StopAsync(CancellationToken.None);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"stopping took {clock.Elapsed}");
        Assert.False(Path.Exists(server.SocketPath));
        await server.DisposeAsync();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "condition not reached within 10 s");
            await Task.Delay(10);
        }
    }
}
