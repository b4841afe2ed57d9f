using BuildSentry.Testing.Lab;
using static BuildSentry.EndToEnd.ScenarioTests;

namespace BuildSentry.EndToEnd;

/// <summary>
/// A process that sends one DNS query and exits at once has closed its socket before the forwarder can look it up by
/// sock_diag. The kernel remembers which socket sent from each port it redirected, so the query is still judged as
/// its job's: alerted with the job and the process, refused in prevent mode, the job killed in kill mode, and in
/// neither mode does a query reach the lab's resolver.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class OneShotDnsTests(NetworkLabFixture fixture)
{
    private const int Senders = 20;

    // Sends one A query for argv[1] to the lab's resolver and exits without waiting for the answer.
    private const string Sender = """
        import random, socket, struct, sys
        name = b"".join(bytes([len(label)]) + label.encode() for label in sys.argv[1].split(".")) + b"\0"
        query = struct.pack(">HHHHHH", random.randrange(65536), 0x0100, 1, 0, 0, 0) + name + struct.pack(">HH", 1, 1)
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(query, (sys.argv[2], 53))
        """;

    private NetworkLab Lab => fixture.Lab;

    [Fact]
    public async Task In_prevent_mode_every_one_shot_query_is_refused_as_its_jobs_with_its_process_named_and_none_leaves()
    {
        var label = $"oneshot{Random.Shared.Next(10_000, 99_999)}";
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("prevent"));
        using var job = BuildJob.Start(Lab, $"""
            for i in $(seq 1 {Senders}); do python3 -c '{Sender}' {label}-$i.{NetworkLab.ExfilDomain} {NetworkLab.ResolverAddress}; done
            echo build finished
            """);
        var result = await job.WaitAsync();

        Assert.Contains("build finished", result.StandardOutput);
        // Every name is the job's, refused; the alerts name the process (past the first few, a job's alerts to one
        // destination wait for the minute's summary).
        var names = Enumerable.Range(1, Senders).Select(i => $"{label}-{i}.{NetworkLab.ExfilDomain}").ToList();
        var report = await ReportAsync(daemon, job);
        var denied = report.GetProperty("dnsNames").EnumerateArray()
            .Where(d => !d.GetProperty("allowed").GetBoolean()).Select(d => d.GetProperty("name").GetString()).ToHashSet();
        Assert.True(names.All(denied.Contains), $"names the report lists as denied: {string.Join(", ", denied)}\n{daemon.Output}");
        var alerts = daemon.AlertRecords().Where(a => Str(a, "job") == job.JobId && Kind(a) == "egress.dns").ToList();
        Assert.NotEmpty(alerts);
        Assert.All(alerts, a =>
        {
            Assert.Equal("prevented", Str(a, "action"));
            Assert.Contains("python", Str(a, "exe"), StringComparison.Ordinal);
            Assert.Contains(Names(a), n => names.Contains(n));
        });
        Assert.DoesNotContain(Lab.DnsQueriesLogged(), q => q.Name.Contains(label, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task In_kill_mode_a_one_shot_query_kills_its_job()
    {
        var label = $"oneshot{Random.Shared.Next(10_000, 99_999)}";
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("kill"));
        using var job = BuildJob.Start(Lab, $"""
            sleep 0.2
            python3 -c '{Sender}' {label}.{NetworkLab.ExfilDomain} {NetworkLab.ResolverAddress}
            sleep 10
            echo build finished
            """);
        var result = await job.WaitAsync();

        Assert.Equal(137, result.ExitCode);
        Assert.DoesNotContain("build finished", result.StandardOutput);
        var alert = await daemon.WaitForAlertAsync(a => Str(a, "job") == job.JobId && Str(a, "action") == "killed");
        Assert.Contains($"{label}.{NetworkLab.ExfilDomain}", Names(alert));
        Assert.DoesNotContain(Lab.DnsQueriesLogged(), q => q.Name.Contains(label, StringComparison.OrdinalIgnoreCase));
    }
}
