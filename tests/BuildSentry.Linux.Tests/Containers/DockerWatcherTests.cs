using System.Threading.Channels;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Containers;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Tests.Containers;

public sealed class DockerWatcherTests
{
    private const string Id = "4f6e0c2a9b1d4e7f8a3b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f";

    private const string ClientScript = """
        import socket, sys, time
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sys.argv[1])
        print("connected", flush=True)
        time.sleep(60)
        """;

    private static string Event(string action) =>
        $$$"""{"status":"{{{action}}}","id":"{{{Id}}}","Type":"container","Action":"{{{action}}}","Actor":{"ID":"{{{Id}}}","Attributes":{"image":"busybox:1","name":"svc\u001b[31m"}},"time":1}""";

    [Fact]
    public async Task Each_container_event_names_the_job_process_holding_a_client_end_of_the_API_socket_and_the_started_init()
    {
        BuildSentry.Testing.Requirements.Root();
        BuildSentry.Testing.Requirements.Tool("python3", "python3");
        using var api = new FakeDockerApi();
        using var client = Support.Processes.Start("python3", ["-c", ClientScript, api.SocketPath]);
        try
        {
            Assert.Equal("connected", client.StandardOutput.ReadLine());
            api.InitPid = client.Id;
            var events = Channel.CreateUnbounded<SensorEvent>();
            using var watcher = new DockerWatcher(api.SocketPath, events.Writer, [client.Id], TimeProvider.System);
            watcher.Start();

            await api.Send("""{"Type":"network","Action":"connect","Actor":{"ID":"abc"}}""");
            await api.Send("not json at all");
            await api.Send(Event("create"));
            await api.Send(Event("start"));
            // Generous: the suite runs test classes side by side on two cores, and a starved thread pool once held the
            // fake API's answers past a 10 s bound in CI. A timeout names what the watcher was doing.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var created = (ContainerActivity)await Next(events.Reader, watcher, timeout.Token);
            var started = (ContainerActivity)await Next(events.Reader, watcher, timeout.Token);

            var key = new ProcFs().TryGetKey(client.Id);
            Assert.Equal(ContainerAction.Created, created.Action);
            Assert.Equal(Id, created.ContainerId);
            Assert.Equal("busybox:1", created.Image);
            Assert.DoesNotContain('\u001b', created.Name);
            Assert.Equal([key!.Value], created.Clients);
            Assert.Equal(ContainerAction.Started, started.Action);
            Assert.Equal(key, started.Process);
            Assert.Equal($"watching {api.SocketPath}", watcher.State);
            Assert.Equal(2, watcher.Events);
        }
        finally
        {
            client.Kill();
        }
    }

    [Fact]
    public async Task Events_that_arrive_with_the_streams_header_are_reported_without_waiting_for_more()
    {
        using var api = new FakeDockerApi { WithHeader = Event("create") + "\n" };
        var events = Channel.CreateUnbounded<SensorEvent>();
        using var watcher = new DockerWatcher(api.SocketPath, events.Writer, [], TimeProvider.System);
        watcher.Start();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var created = (ContainerActivity)await Next(events.Reader, watcher, timeout.Token);

        Assert.Equal(ContainerAction.Created, created.Action);
        Assert.Equal(Id, created.ContainerId);
    }

    private static async Task<SensorEvent> Next(ChannelReader<SensorEvent> reader, DockerWatcher watcher, CancellationToken token)
    {
        try
        {
            return await reader.ReadAsync(token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException(
                $"no container event within the bound: watcher state '{watcher.State}', {watcher.Events} reported, {watcher.Failures} failures, last '{watcher.LastFailure}'");
        }
    }

    [Fact]
    public async Task Where_there_is_no_socket_it_waits_and_says_so()
    {
        using var watcher = new DockerWatcher("/run/bs-no-such-docker.sock", Channel.CreateUnbounded<SensorEvent>().Writer, [], TimeProvider.System);
        watcher.Start();
        for (var i = 0; i < 50 && !watcher.State.StartsWith("absent", StringComparison.Ordinal); i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal("absent: no socket at /run/bs-no-such-docker.sock", watcher.State);
    }

    [Theory]
    [InlineData("""{"Type":"container","Action":"exec_start: sh -c x","Actor":{"ID":"abc","Attributes":{}}}""")]
    [InlineData("""{"Type":"container","Action":"start","Actor":{"ID":"../../etc"}}""")]
    [InlineData("""{"Type":"container","Action":"start","Actor":"x"}""")]
    [InlineData("""[1,2,3]""")]
    [InlineData("""{"Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"name":""" + "\"" + "\\ud800" + "\"" + """}}}""")]
    public void Events_that_are_malformed_or_not_needed_parse_to_nothing_or_to_clean_text(string line)
    {
        var parsed = DockerEventParser.Parse(System.Text.Encoding.UTF8.GetBytes(line));

        Assert.True(parsed is null || parsed.Name.All(c => !char.IsControl(c) && !char.IsSurrogate(c)));
    }
}
