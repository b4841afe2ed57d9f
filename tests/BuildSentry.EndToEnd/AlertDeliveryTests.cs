using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using BuildSentry.Testing;

namespace BuildSentry.EndToEnd;

/// <summary>A wedged syslog receiver must cost alerts to that receiver only, never the monitor's attention.</summary>
public sealed class AlertDeliveryTests : IDisposable
{
    // Tool names of this test's own: other daemons running on the machine at the same time see these
    // jobs too, and must find nothing in them to kill.
    private const string Profiles = """
        name: flood-audit
        description: Buildkite jobs in this test only raise alerts.
        mode: audit
        match: { ci: buildkite }
        processes:
          deny: [bs-flood-tool]
        ---
        name: gitlab-kill
        description: GitLab jobs in this test are killed when they start bs-kill-tool.
        mode: kill
        match: { ci: gitlab }
        processes:
          deny: [bs-kill-tool]
        """;

    private readonly string _bin = Directory.CreateTempSubdirectory("buildsentry-bin-").FullName;

    public void Dispose() => Directory.Delete(_bin, recursive: true);

    [Fact]
    public async Task A_TCP_receiver_that_accepts_but_never_reads_blocks_neither_process_events_nor_a_kill()
    {
        using var stuck = new TcpListener(IPAddress.Loopback, 0);
        stuck.Start();
        var accepted = stuck.AcceptSocketAsync();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit")
        {
            ExtraAlertTargets = [$"{{ transport: tcp, address: 127.0.0.1, port: {((IPEndPoint)stuck.LocalEndpoint).Port}, queue_capacity: 100 }}"],
            ExtraProfiles = new Dictionary<string, string> { ["alert-delivery.yaml"] = Profiles },
            // Every one of the flood's alerts is sent, so that the stuck receiver's queue overflows: no per-job limit.
            ExtraConfiguration = "limits:\n  alerts_per_job_per_minute: 100000\n  alerts_per_destination_per_minute: 100000",
        });
        File.Copy("/usr/bin/true", Path.Combine(_bin, "bs-flood-tool"));
        File.Copy("/usr/bin/sleep", Path.Combine(_bin, "bs-kill-tool"));
        using var never = await accepted.WaitAsync(TimeSpan.FromSeconds(15));
        var before = Counters(await StatusAsync(daemon));

        // 3,000 denied processes in an audit job, each alert carrying a 2 KB argv: megabytes for a receiver that reads nothing.
        const int flood = 3_000;
        var flooding = await Command.WaitAsync(Command.Start("/bin/bash",
            ["-c", $"big=$(head -c 2000 /dev/zero | tr '\\0' A); for i in $(seq {flood}); do {_bin}/bs-flood-tool \"$big\"; done"],
            new Dictionary<string, string> { ["BUILDKITE_JOB_ID"] = $"flood-{Guid.NewGuid():N}" }), TimeSpan.FromSeconds(120));
        Assert.True(flooding.Succeeded, $"the flood exited {flooding.ExitCode}: {flooding.StandardError}\n{daemon.Output}");
        await WaitUntilAsync(daemon, s => StuckTarget(s).GetProperty("dropped").GetInt64() > 0, "the stuck target's queue to overflow");

        var status = await StatusAsync(daemon);
        Assert.True(Counters(status).GetProperty("events").GetInt64() - before.GetProperty("events").GetInt64() >= 2 * flood);
        Assert.True(StuckTarget(status).GetProperty("queued").GetInt64() <= 100);

        // The proc connector may lose some of 3,000 back-to-back execs (counted in processEventsLost); every
        // alert the monitor did raise must still reach the receiver that reads.
        await WaitUntilAsync(daemon, s => daemon.Alerts.Count >= Counters(s).GetProperty("alerts").GetInt64(), "every alert at the reading receiver");
        Assert.True(daemon.AlertRecords().Count(a => a.GetProperty("kind").GetString() == "process.denied") >= flood / 2);

        var job = Command.Start("/bin/bash", ["-c", $"sleep 0.5; {_bin}/bs-kill-tool 60; echo survived"],
            new Dictionary<string, string> { ["GITLAB_CI"] = "true", ["CI_JOB_ID"] = $"kill-{Guid.NewGuid():N}", ["CI_PROJECT_PATH"] = "acme/app" });
        var clock = Stopwatch.StartNew();
        var result = await Command.WaitAsync(job, TimeSpan.FromSeconds(30));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the kill-mode job ran {clock.Elapsed}");
        Assert.DoesNotContain("survived", result.StandardOutput);
        Assert.Equal(137, result.ExitCode);
        await daemon.WaitForAlertAsync(a => a.GetProperty("kind").GetString() == "process.denied"
            && a.GetProperty("action").GetString() == "killed");
    }

    private static JsonElement Counters(JsonElement status) => status.GetProperty("counters");

    private static JsonElement StuckTarget(JsonElement status) => status.GetProperty("alertTargets")[1];

    private static async Task<JsonElement> StatusAsync(DaemonProcess daemon)
    {
        var status = await daemon.CliAsync("status", "--json");
        Assert.True(status.Succeeded, status.StandardError);
        return JsonDocument.Parse(status.StandardOutput).RootElement;
    }

    private static async Task WaitUntilAsync(DaemonProcess daemon, Func<JsonElement, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        JsonElement status;
        do
        {
            status = await StatusAsync(daemon);
            if (condition(status))
            {
                return;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        throw new TimeoutException($"waited in vain for {what}; status: {status}\ndaemon output:\n{daemon.Output[^Math.Min(4000, daemon.Output.Length)..]}");
    }
}
