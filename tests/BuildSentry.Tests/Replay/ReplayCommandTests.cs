using System.Net;
using System.Text.Json;
using BuildSentry.Core.Events;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Tracing;
using BuildSentry.Tests.Cli;

namespace BuildSentry.Tests.Replay;

public sealed class ReplayCommandTests : IDisposable
{
    private const string Profile = """
        name: lab-build
        match: { ci: github }
        egress:
          - { host: registry.test, ports: [80, 443], protocol: tcp }
        """;

    private static readonly IPAddress Agent = IPAddress.Parse("198.18.0.1");
    private static readonly Dictionary<string, string> Markers = new()
    {
        ["GITHUB_ACTIONS"] = "true", ["GITHUB_RUN_ID"] = "77", ["GITHUB_JOB"] = "build",
    };

    private readonly TempProfiles _directory = new();
    private DateTimeOffset _now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_trace_with_one_call_to_an_unknown_host_replays_to_exactly_that_alert()
    {
        _directory.Write("profiles/lab.yaml", Profile);
        var trace = WriteTrace(
            Connection(Key(12), "registry.test", IPAddress.Parse("198.18.0.10")),
            Connection(Key(12), "evil.test", IPAddress.Parse("198.18.0.66")));

        var (exitCode, output, error) = CliRunner.Run("replay", trace, "--profiles", Path.Combine(_directory.Path, "profiles"));

        Assert.True(exitCode == 0, error);
        var alert = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.Contains("\"egress.connection\"", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(alert);
        Assert.Equal("198.18.0.66", json.RootElement.GetProperty("dst").GetString());
        Assert.DoesNotContain("198.18.0.10", output, StringComparison.Ordinal);
        Assert.Contains("jobs 1 started, 1 ended, 0 still running", error, StringComparison.Ordinal);
        Assert.Contains("kills 0", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Kill_mode_reports_the_kill_it_would_make_without_making_it()
    {
        _directory.Write("profiles/lab.yaml", Profile);
        var trace = WriteTrace(Connection(Key(12), "evil.test", IPAddress.Parse("198.18.0.66")));

        var (exitCode, _, error) = CliRunner.Run("replay", trace, "--profiles", Path.Combine(_directory.Path, "profiles"), "--mode", "kill");

        Assert.True(exitCode == 0, error);
        Assert.Contains("kills 1 (not carried out)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_line_fails_the_replay_naming_its_line()
    {
        _directory.Write("profiles/lab.yaml", Profile);
        var trace = _directory.Write("bad.ndjson", "{\"type\":\"exit\",\"time\":\"2026-11-29T12:00:00Z\",\"process\":{\"pid\":1,\"startTime\":1},\"exitCode\":0}\n{not json\n");

        var (exitCode, _, error) = CliRunner.Run("replay", trace, "--profiles", Path.Combine(_directory.Path, "profiles"));

        Assert.Equal(1, exitCode);
        Assert.Contains("trace line 2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_trace_file_is_a_usage_error()
    {
        var (exitCode, _, error) = CliRunner.Run("replay", Path.Combine(_directory.Path, "absent.ndjson"));

        Assert.Equal(2, exitCode);
        Assert.Contains("is not a file", error, StringComparison.Ordinal);
    }

    private static ProcessKey Key(int pid) => new(pid, 100);

    private SensorEvent[] Connection(ProcessKey owner, string name, IPAddress address)
    {
        var flow = new FlowKey(TransportProtocol.Tcp, Agent, 40_000, address, 80);
        return
        [
            new DnsAnswerObserved(Next(), new FlowKey(TransportProtocol.Udp, Agent, 5353, IPAddress.Parse("198.18.0.2"), 53), 1, name,
                [new DnsRecord(name, DnsRecordType.A, 60, address, null)], 1),
            new ConnectionAttempted(Next(), flow, new FlowAttribution(owner, 1, null)),
        ];
    }

    private string WriteTrace(params SensorEvent[][] connections)
    {
        var path = Path.Combine(_directory.Path, "trace.ndjson");
        using (var file = File.Create(path))
        using (var writer = new TraceWriter(file))
        {
            writer.Write(new ProcessForked(Next(), Key(10), Key(1)));
            writer.Write(new ProcessExecuted(Next(), Key(10), Details("/bin/bash")));
            writer.Write(new ProcessForked(Next(), Key(12), Key(10)));
            writer.Write(new ProcessExecuted(Next(), Key(12), Details("/usr/bin/curl")));
            foreach (var e in connections.SelectMany(c => c))
            {
                writer.Write(e);
            }

            writer.Write(new ProcessExited(Next(), Key(12), 0));
            writer.Write(new ProcessExited(Next(), Key(10), 0));
        }

        return path;
    }

    private static ProcessDetails Details(string exe) => new(exe, [exe], "/work", 1000, 1000, Path.GetFileName(exe), Markers);

    private DateTimeOffset Next() => _now = _now.AddMilliseconds(1);
}
