using System.Globalization;
using System.Text.Json;
using BuildSentry.Testing.Lab;
using Xunit.Abstractions;
using static BuildSentry.EndToEnd.ScenarioTests;

namespace BuildSentry.EndToEnd;

/// <summary>
/// A process that sends one UDP datagram where no rule allows and exits at once: its socket is gone before user space
/// can look it up, so only the kernel names it: the eBPF sensor's sendmsg hook names the process and its job, the NFLOG
/// rule for a new UDP flow (either sensor) names the job by the socket's cgroup. Every trial sends to a port of its own, so each is a finding of its own and must be alerted
/// with its job; the kernel sensor also names the process of every unconnected datagram.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class OneShotUdpTests(NetworkLabFixture fixture, ITestOutputHelper output)
{
    private const int Trials = 50;
    private const int FirstPort = 31000;

    // Every alert is wanted: the per-job and per-destination bounds would fold most of them into a summary.
    private const string Limits = """
        limits:
          alerts_per_job_per_minute: 1000
          alerts_per_destination_per_minute: 1000
        """;

    private NetworkLab Lab => fixture.Lab;

    [Theory]
    [InlineData("ebpf", "sendto")]
    [InlineData("ebpf", "connect")]
    [InlineData("proc-connector", "sendto")]
    [InlineData("proc-connector", "connect")]
    public async Task Every_one_shot_udp_sender_is_alerted_for_its_job_and_an_unconnected_one_with_its_process_by_the_kernel_sensor(string sensor, string send)
    {
        await Lab.SetDelayAsync(TimeSpan.Zero);
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup("audit")
        {
            ExtraConfiguration = $"process_sensor: {sensor}\n{Limits}\n",
        });
        var evil = Lab.Evil.IPv4.ToString();
        // sendto names the destination on an unconnected socket; bash's /dev/udp connects, then writes.
        var sender = send == "sendto"
            ? $"python3 -c 'import socket, sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b\"x\", (\"{evil}\", int(sys.argv[1])))' $port"
            : $"bash -c 'printf x > /dev/udp/{evil}/$0' $port";
        // The daemon recognises the job by its markers a few milliseconds after its first exec; a step starts later
        // (a runner hook registers the job before it), so the senders do too.
        using var job = BuildJob.Start(Lab, $"""
            sleep 1
            port={FirstPort}
            while [ $port -lt {FirstPort + Trials} ]; do {sender}; port=$((port + 1)); done
            sleep 1
            echo build finished
            """);
        var result = await job.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(0, result.ExitCode);

        var alerts = await WaitForTrialsAsync(daemon, evil);
        var missing = Enumerable.Range(FirstPort, Trials).Except(alerts.Select(Port)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {Trials} senders were not alerted (ports {string.Join(", ", missing)}):\n"
                                        + string.Join("\n", daemon.AlertRecords().Where(a => !alerts.Contains(a))));
        var named = alerts.Where(a => Str(a, "pid").Length > 0).ToList();
        output.WriteLine($"{sensor}, {send}: {alerts.Count(a => Str(a, "job") == job.JobId)} of {Trials} alerted for the job, {named.Count} with "
                         + $"their process; unnamed: {string.Join(", ", alerts.Except(named).Select(Port))}");
        Assert.All(alerts, a =>
        {
            Assert.Equal(job.JobId, Str(a, "job"));
            Assert.Equal("egress.connection", Kind(a));
            Assert.Equal("udp", Str(a, "proto"));
        });
        Assert.All(named, a => Assert.Matches(send == "sendto" ? "/python3[.0-9]*$" : "/bash$", Str(a, "exe")));
        Assert.Equal(named.Count, named.Select(a => Str(a, "pid")).Distinct().Count());
        if (sensor == "ebpf" && send == "sendto")
        {
            // The kernel sensor names the sender of an unconnected datagram at its sendmsg.
            Assert.Equal(Trials, named.Count);
        }
        else
        {
            // Otherwise the kernel names the job (the fallback's NFLOG record of the socket's cgroup; a connected socket's
            // datagram passes no sendmsg hook), and the process only while user space can still find the socket: a
            // sender whose socket had closed is alerted for its job, saying why its process is not named.
            Assert.All(alerts.Except(named), a => Assert.Contains("the process is not named: its socket closed before it could be looked up", Str(a, "reason")));
        }
    }

    /// <summary>The UDP alerts for the trials' ports once every trial has one, or after a grace for the stragglers.</summary>
    private static async Task<List<JsonElement>> WaitForTrialsAsync(DaemonProcess daemon, string evil)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var alerts = daemon.AlertRecords().Where(a => Str(a, "dst") == evil && Str(a, "proto") == "udp"
                                                          && Port(a) is >= FirstPort and < FirstPort + Trials).ToList();
            if (alerts.Select(Port).Distinct().Count() == Trials || DateTime.UtcNow > deadline)
            {
                return alerts;
            }

            await Task.Delay(100);
        }
    }

    private static int Port(JsonElement alert) => int.TryParse(Str(alert, "dport"), CultureInfo.InvariantCulture, out var port) ? port : 0;
}
