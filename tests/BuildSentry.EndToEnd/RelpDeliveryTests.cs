using System.Text.Json;
using BuildSentry.Testing;
using BuildSentry.Testing.Syslog;

namespace BuildSentry.EndToEnd;

/// <summary>The shipped daemon with a RELP target: what a SOC collector running rsyslog's imrelp receives.</summary>
public sealed class RelpDeliveryTests
{
    [Fact]
    public async Task A_relp_target_receives_the_daemons_alerts_and_one_raised_while_rsyslog_restarts()
    {
        await using var rsyslog = await RsyslogServer.StartAsync();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup
        {
            ExtraAlertTargets = [$"{{ transport: relp, address: 127.0.0.1, port: {rsyslog.RelpPort}, format: json }}"],
        });

        var started = await rsyslog.WaitForLinesAsync(1, TimeSpan.FromSeconds(20));
        Assert.Contains("\"kind\":\"daemon.start\"", Assert.Single(started), StringComparison.Ordinal);
        Assert.Contains($"Connected to syslog receiver relp://127.0.0.1:{rsyslog.RelpPort}", daemon.Output, StringComparison.Ordinal);

        await rsyslog.StopAsync();
        var reload = await daemon.CliAsync("reload");
        Assert.True(reload.Succeeded, reload.ToString());
        await daemon.WaitForAlertAsync(a => a.GetProperty("kind").GetString() == "daemon.reload");
        await rsyslog.RestartAsync();

        var lines = await rsyslog.WaitForLinesAsync(2, TimeSpan.FromSeconds(30));
        var kinds = lines.Select(l => JsonDocument.Parse(l[(l.IndexOf("- \uFEFF", StringComparison.Ordinal) + 3)..]).RootElement
            .GetProperty("kind").GetString()).ToList();
        Assert.Equal(["daemon.start", "daemon.reload"], kinds);
    }
}
