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
    public async Task An_alert_a_RELP_receiver_refuses_is_counted_and_not_sent_again_and_the_next_ones_go_through()
    {
        // The first record is refused, every other one taken.
        await using var receiver = ScriptedRelpReceiver.Start(0, records: 6, answer: n => n == 0 ? "500 record too big" : "200 OK");
        await using var sink = RelpSink(receiver.Port);

        for (var i = 0; i < 6; i++)
        {
            sink.Publish(Alert(i));
        }

        await receiver.Done.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"a{i}"), receiver.Ids);
        await WaitUntilAsync(() => sink.Refused == 1);
        Assert.Equal(0, sink.Resent);
        Assert.Equal(0, sink.Queued);
    }

    [Fact]
    public async Task Over_RELP_records_left_unanswered_by_a_receiver_that_went_while_the_sink_was_idle_are_resent_without_a_new_alert()
    {
        ScriptedRelpReceiver first;
        await using (first = ScriptedRelpReceiver.Start(0, records: 3, answer: n => n == 0 ? "200 OK" : null))
        {
            await using var sink = RelpSink(first.Port);
            for (var i = 0; i < 3; i++)
            {
                sink.Publish(Alert(i));
            }

            await first.Done.WaitAsync(TimeSpan.FromSeconds(10));
            var port = first.Port;
            first.Close();

            // Nothing else is published: the two records never answered must come back by themselves.
            await using var second = ScriptedRelpReceiver.Start(port, records: 2, answer: _ => "200 OK");
            await second.Done.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(["a1", "a2"], second.Ids);
            await WaitUntilAsync(() => sink.Resent == 2 && sink.Queued == 0);
        }

        Assert.Equal(["a0", "a1", "a2"], first.Ids);
    }

    private static SyslogSink RelpSink(int port) =>
        new(new SyslogTarget(SyslogTransport.Relp, "127.0.0.1", port), Formatter, NullLogger<SyslogSink>.Instance, TimeProvider.System);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 250 && !condition(); i++)
        {
            await Task.Delay(20);
        }

        Assert.True(condition());
    }

    /// <summary>
    /// A RELP receiver on loopback that answers the open, then each of the first <c>records</c> syslog frames with
    /// what <c>answer</c> says for its index (null: no answer), keeping the alert ids in arrival order.
    /// </summary>
    private sealed class ScriptedRelpReceiver : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly List<string> _ids = [];
        private Socket? _socket;

        private ScriptedRelpReceiver(TcpListener listener) => _listener = listener;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public Task Done { get; private set; } = Task.CompletedTask;

        public IReadOnlyList<string> Ids
        {
            get
            {
                lock (_ids)
                {
                    return [.. _ids];
                }
            }
        }

        public static ScriptedRelpReceiver Start(int port, int records, Func<int, string?> answer)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            var receiver = new ScriptedRelpReceiver(listener);
            receiver.Done = Task.Run(() => receiver.ServeAsync(records, answer));
            return receiver;
        }

        /// <summary>Says goodbye as rsyslog does on a stop, and closes.</summary>
        public void Close()
        {
            _socket?.Send("0 serverclose 0\n"u8);
            _socket?.Dispose();
            _listener.Stop();
        }

        public async ValueTask DisposeAsync()
        {
            _socket?.Dispose();
            _listener.Stop();
            await Done.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        private async Task ServeAsync(int records, Func<int, string?> answer)
        {
            _socket = await _listener.AcceptSocketAsync();
            var buffer = new byte[65536];
            var pending = "";
            var seen = 0;
            while (seen < records)
            {
                var count = await _socket.ReceiveAsync(buffer);
                if (count == 0)
                {
                    return;
                }

                pending += System.Text.Encoding.UTF8.GetString(buffer, 0, count);
                // Records are one line each (the formatter escapes control characters); the open has three lines.
                if (pending.StartsWith("1 open", StringComparison.Ordinal))
                {
                    var open = pending.IndexOf("commands=syslog\n", StringComparison.Ordinal);
                    if (open < 0)
                    {
                        continue;
                    }

                    pending = pending[(open + "commands=syslog\n".Length)..];
                    await _socket.SendAsync("1 rsp 6 200 OK\n"u8.ToArray());
                }

                for (var end = pending.IndexOf('\n'); end >= 0 && seen < records; end = pending.IndexOf('\n'))
                {
                    var frame = pending[..end];
                    pending = pending[(end + 1)..];
                    var id = System.Text.RegularExpressions.Regex.Match(frame, " id=\"([^\"]+)\"").Groups[1].Value;
                    lock (_ids)
                    {
                        _ids.Add(id);
                    }

                    if (answer(seen++) is { } text)
                    {
                        await _socket.SendAsync(System.Text.Encoding.ASCII.GetBytes($"{frame[..frame.IndexOf(' ')]} rsp {text.Length} {text}\n"));
                    }
                }
            }
        }
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
