using BuildSentry.Core.Alerts;
using BuildSentry.Linux.Syslog;
using BuildSentry.Testing;
using BuildSentry.Testing.Syslog;

namespace BuildSentry.Linux.Tests.Syslog;

/// <summary>rsyslog restarts (package upgrades, config changes) must not cost the SOC any alerts.</summary>
public sealed class RsyslogOutageTests
{
    [Fact]
    public async Task A_thousand_alerts_raised_while_rsyslog_is_stopped_for_ten_seconds_all_arrive_once_after_restart()
    {
        await using var rsyslog = await RsyslogServer.StartAsync();
        await using var sink = RsyslogTests.Sink(rsyslog, SyslogTransport.Tcp, new Rfc5424Formatter("agent-1", 1));
        sink.Publish(RichAlerts.Violation("before"));
        Assert.True(await sink.FlushAsync(TimeSpan.FromSeconds(10)));

        await rsyslog.StopAsync();
        var outage = DateTime.UtcNow;
        for (var i = 0; i < 1000; i++)
        {
            sink.Publish(RichAlerts.Violation($"down-{i}") with { Severity = i % 2 == 0 ? AlertSeverity.Info : AlertSeverity.Critical });
        }

        await Task.Delay(TimeSpan.FromSeconds(10) - (DateTime.UtcNow - outage));
        Assert.Equal(1000, sink.Queued);
        await rsyslog.RestartAsync();

        Assert.True(await sink.FlushAsync(TimeSpan.FromSeconds(30)), $"{sink.Queued} still queued");
        var ids = await IdsAsync(rsyslog, 1001);
        Assert.Equal(1001, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(["before", .. Enumerable.Range(0, 1000).Select(i => $"down-{i}")], ids);
        Assert.Equal(0, sink.Dropped);
    }

    [Fact]
    public async Task Alerts_published_steadily_across_an_rsyslog_restart_arrive_exactly_once()
    {
        await using var rsyslog = await RsyslogServer.StartAsync();
        await using var sink = RsyslogTests.Sink(rsyslog, SyslogTransport.Tcp, new Rfc5424Formatter("agent-1", 1));
        var publisher = Task.Run(async () =>
        {
            for (var i = 0; i < 1000; i++)
            {
                sink.Publish(RichAlerts.Violation($"steady-{i}"));
                await Task.Delay(3);
            }
        });

        await Task.Delay(1000);
        await rsyslog.StopAsync();
        await Task.Delay(2000);
        await rsyslog.RestartAsync();
        await publisher;

        Assert.True(await sink.FlushAsync(TimeSpan.FromSeconds(30)), $"{sink.Queued} still queued");
        var ids = await IdsAsync(rsyslog, 1000);
        var missing = Enumerable.Range(0, 1000).Select(i => $"steady-{i}").Except(ids).ToList();
        Assert.True(missing.Count == 0, $"lost {missing.Count} ({sink.Resent} resent): {string.Join(" ", missing.Take(10))}");
        Assert.True(ids.Count == ids.Distinct().Count(), $"{ids.Count - ids.Distinct().Count()} duplicated ({sink.Resent} resent)");
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    private static async Task<List<string>> IdsAsync(RsyslogServer rsyslog, int expected)
    {
        var lines = await rsyslog.WaitForLinesAsync(expected, TimeSpan.FromSeconds(20));
        await Task.Delay(500);
        return rsyslog.Lines().Select(l => StrictSyslogParser.Parse(l).Data[Rfc5424Formatter.DefaultSdId]["id"]).ToList();
    }
}
