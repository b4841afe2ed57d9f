using System.Text.Json;
using BuildSentry.Testing;
using BuildSentry.Testing.Syslog;

namespace BuildSentry.EndToEnd;

/// <summary>
/// A daemon whose sensor died, or stopped reading while the kernel held events for it, is blind: it must say so to
/// every alert target, with the reason, and exit non-zero so that systemd restarts it, not keep pinging the watchdog.
/// The faults are real: a capture device that disappears, a process sensor reader stopped by ptrace.
/// </summary>
public sealed class SensorFailureTests
{
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task A_capture_device_that_disappears_is_a_critical_alert_at_rsyslog_and_the_daemon_exits_non_zero()
    {
        Requirements.Root();
        var device = $"bsf{Random.Shared.Next(10_000, 99_999)}";
        await Ip("link", "add", device, "type", "veth", "peer", "name", device + "p");
        try
        {
            await Ip("link", "set", device, "up");
            await using var rsyslog = await RsyslogServer.StartAsync();
            await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup
            {
                ExtraAlertTargets = [$"{{ transport: tcp, address: 127.0.0.1, port: {rsyslog.TcpPort}, format: json }}"],
                ExtraConfiguration = $"capture:\n  interfaces: [{device}]",
            });

            await Ip("link", "del", device);
            var exitCode = await daemon.WaitForExitAsync(ExitWait);

            Assert.NotEqual(0, exitCode);
            var alert = await daemon.WaitForAlertAsync(a => Kind(a) == "sensor.failed", TimeSpan.FromSeconds(5));
            Assert.Equal("critical", Str(alert, "severity"));
            Assert.Contains("capture", Str(alert, "reason"), StringComparison.Ordinal);
            Assert.Contains(device, Str(alert, "reason"), StringComparison.Ordinal);
            var lines = await WaitForLineAsync(rsyslog, "sensor.failed");
            Assert.Contains(lines, l => l.Contains("sensor.failed", StringComparison.Ordinal) && l.Contains(device, StringComparison.Ordinal));
            Assert.Contains("the capture sensor failed", daemon.Output, StringComparison.Ordinal);
        }
        finally
        {
            await Command.RunAsync("ip", ["link", "del", device], TimeSpan.FromSeconds(10));
        }
    }

    [Theory]
    [InlineData("ebpf")]
    [InlineData("proc-connector")]
    public async Task A_process_sensor_reader_that_stops_reading_is_a_critical_alert_at_rsyslog_and_the_daemon_exits_non_zero(string sensor)
    {
        Requirements.Root();
        Requirements.Tool("python3", "python3");
        await using var rsyslog = await RsyslogServer.StartAsync();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup
        {
            ExtraAlertTargets = [$"{{ transport: tcp, address: 127.0.0.1, port: {rsyslog.TcpPort}, format: json }}"],
            ExtraConfiguration = $"process_sensor: {sensor}",
        });
        JsonElement alert;
        // The reader thread is named after its sensor.
        using (await StoppedThread.StopAsync(daemon.Pid, sensor))
        {
            // Process events the stopped reader cannot take.
            for (var i = 0; i < 20; i++)
            {
                await Command.RunAsync("/bin/true", [], TimeSpan.FromSeconds(10));
            }

            alert = await daemon.WaitForAlertAsync(a => Kind(a) == "sensor.failed", ExitWait);
        }

        Assert.NotEqual(0, await daemon.WaitForExitAsync(ExitWait));
        Assert.Equal("critical", Str(alert, "severity"));
        Assert.Contains("has read nothing", Str(alert, "reason"), StringComparison.Ordinal);
        var lines = await WaitForLineAsync(rsyslog, "sensor.failed");
        Assert.Contains(lines, l => l.Contains("the process sensor has read nothing", StringComparison.Ordinal));
    }

    private static async Task<IReadOnlyList<string>> WaitForLineAsync(RsyslogServer rsyslog, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var lines = rsyslog.Lines();
            if (lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
            {
                return lines;
            }

            await Task.Delay(100);
        }

        return rsyslog.Lines();
    }

    private static async Task Ip(params string[] args)
    {
        var result = await Command.RunAsync("ip", args, TimeSpan.FromSeconds(10));
        Assert.True(result.Succeeded, $"ip {string.Join(' ', args)}: {result.StandardError}");
    }

    private static string Kind(JsonElement alert) => Str(alert, "kind");

    private static string Str(JsonElement alert, string name) =>
        alert.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
