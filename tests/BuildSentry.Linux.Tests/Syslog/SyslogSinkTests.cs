using System.Net;
using System.Net.Sockets;
using BuildSentry.Core.Alerts;
using BuildSentry.Linux.Syslog;
using BuildSentry.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BuildSentry.Linux.Tests.Syslog;

public sealed class SyslogSinkTests
{
    private static readonly Rfc5424Formatter Formatter = new("agent-1", 1);

    private static Alert Alert(int i, AlertSeverity severity = AlertSeverity.High) =>
        new($"a{i}", DateTimeOffset.UnixEpoch.AddSeconds(i), AlertKinds.EgressConnection, "test", severity, AlertAction.Alerted);

    private static SyslogSink Sink(int port, int capacity = 10_000) =>
        new(new SyslogTarget(SyslogTransport.Tcp, "127.0.0.1", port) { QueueCapacity = capacity }, Formatter,
            NullLogger<SyslogSink>.Instance, TimeProvider.System);

    [Fact]
    public async Task Alerts_arrive_octet_counted_in_order()
    {
        await using var receiver = new OctetCountingReceiver();
        await using var sink = Sink(receiver.Port);

        for (var i = 0; i < 100; i++)
        {
            sink.Publish(Alert(i));
        }

        Assert.True(await receiver.WaitForAsync(100, TimeSpan.FromSeconds(10)));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"id=\"a{i}\""), receiver.Records.Select(r => r.Split(' ')[7]));
    }

    [Fact]
    public async Task Alerts_raised_while_the_receiver_is_down_are_delivered_once_when_it_returns()
    {
        var port = FreePort();
        await using (var first = new OctetCountingReceiver(port))
        {
            await using var sink = Sink(port);
            sink.Publish(Alert(0));
            Assert.True(await first.WaitForAsync(1, TimeSpan.FromSeconds(5)));
            await first.DisposeAsync();

            for (var i = 1; i <= 300; i++)
            {
                sink.Publish(Alert(i));
            }

            await Task.Delay(1500);
            await using var second = new OctetCountingReceiver(port);
            Assert.True(await second.WaitForAsync(300, TimeSpan.FromSeconds(20)), $"got {second.Count}");
            await Task.Delay(300);

            var ids = first.Records.Concat(second.Records).Select(r => r.Split(' ')[7]).ToList();
            Assert.Equal(301, ids.Count);
            Assert.Equal(301, ids.Distinct().Count());
        }
    }

    [Fact]
    public async Task Beyond_the_bound_the_oldest_non_critical_alerts_are_dropped_and_the_drop_is_reported()
    {
        var port = FreePort();
        await using var sink = Sink(port, capacity: 10);
        sink.Publish(Alert(0, AlertSeverity.Critical));
        for (var i = 1; i <= 20; i++)
        {
            sink.Publish(Alert(i, AlertSeverity.Info));
        }

        await using var receiver = new OctetCountingReceiver(port);
        Assert.True(await receiver.WaitForAsync(11, TimeSpan.FromSeconds(20)), $"got {receiver.Count}");

        var records = receiver.Records.ToList();
        Assert.Contains("sensor.alerts-dropped", records[0]);
        Assert.Contains("11 alert(s)", records[0]);
        Assert.Contains("id=\"a0\"", records[1]);
        Assert.Contains("id=\"a20\"", records[^1]);
        Assert.Equal(11, sink.Dropped);
    }

    [Fact]
    public async Task A_receiver_that_never_reads_does_not_block_publishing()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        await using var sink = Sink(((IPEndPoint)listener.LocalEndpoint).Port, capacity: 1000);
        var big = Alert(0) with { Reason = new string('x', 400) };

        var started = DateTime.UtcNow;
        for (var i = 0; i < 50_000; i++)
        {
            sink.Publish(big with { Id = $"b{i}" });
        }

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.True(sink.Queued <= 1000);
        Assert.True(sink.Dropped > 0);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
