using System.Net;
using System.Net.Sockets;
using System.Text;
using BuildSentry.Core.Alerts;
using BuildSentry.Linux.Syslog;

namespace BuildSentry.Linux.Tests.Syslog;

public sealed class SyslogConnectionTests
{
    private static readonly Rfc5424Formatter Formatter = new("agent-1", 1);

    [Fact]
    public async Task A_record_written_after_the_receiver_closed_stays_unacknowledged_and_one_it_read_does_not()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var target = new SyslogTarget(SyslogTransport.Tcp, "127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port);
        using var connection = await SyslogConnection.ConnectAsync(target, CancellationToken.None);
        using var server = await listener.AcceptSocketAsync();
        var read = RichAlerts.Violation("read");
        var lost = RichAlerts.Violation("after-close");

        await SendAsync(connection, read);
        var buffer = new byte[65536];
        Assert.True(await server.ReceiveAsync(buffer) > 0);
        await WaitAsync(() => connection.Unacknowledged().Count == 0);

        // The receiver closes with nothing unread (FIN); the next write still "succeeds" into the kernel.
        server.Close();
        await WaitAsync(connection.PeerClosed);
        await SendAsync(connection, lost);
        await Task.Delay(200);

        Assert.Equal([lost], connection.Unacknowledged());
    }

    [Fact]
    public async Task Datagram_transports_keep_nothing_to_resend()
    {
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var target = new SyslogTarget(SyslogTransport.Udp, "127.0.0.1", ((IPEndPoint)receiver.Client.LocalEndPoint!).Port);
        using var connection = await SyslogConnection.ConnectAsync(target, CancellationToken.None);
        var alert = RichAlerts.Violation("udp");

        await SendAsync(connection, alert);

        Assert.Empty(connection.Unacknowledged());
        Assert.StartsWith("<34>1 ", System.Text.Encoding.UTF8.GetString((await receiver.ReceiveAsync()).Buffer));
    }

    [Fact]
    public async Task A_RELP_receiver_that_refuses_the_session_is_named_with_its_answer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var target = new SyslogTarget(SyslogTransport.Relp, "127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port);
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            Assert.StartsWith("1 open ", await ReceiveTextAsync(socket), StringComparison.Ordinal);
            await socket.SendAsync(Encoding.ASCII.GetBytes("1 rsp 22 500 \u001b[2J not supported\n"));
        });

        var error = await Assert.ThrowsAsync<IOException>(() => SyslogConnection.ConnectAsync(target, CancellationToken.None));

        await server;
        Assert.Contains("refused the session: rsp 500", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', error.Message);
    }

    [Fact]
    public async Task Over_RELP_only_answered_records_are_acknowledged_even_after_the_receiver_has_gone()
    {
        using var session = await RelpSession.OpenAsync();
        var (server, connection) = (session.Server, session.Connection);
        var (a, b, c) = (RichAlerts.Violation("a"), RichAlerts.Violation("b"), RichAlerts.Violation("c"));

        foreach (var alert in new[] { a, b, c })
        {
            await SendAsync(connection, alert);
        }

        var received = "";
        while (received.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length < 3)
        {
            received += await ReceiveTextAsync(server);
        }

        Assert.Matches(@"^2 syslog \d+ <34>1 .*\n3 syslog \d+ <34>1 .*\n4 syslog \d+ <34>1 .*\n$", received);
        await server.SendAsync(Encoding.ASCII.GetBytes("2 rsp 6 200 OK\n"));
        await WaitAsync(() => connection.Unacknowledged().Count == 2);
        Assert.Equal([b, c], connection.Unacknowledged());

        // rsyslog's goodbye: records it answered before it went stay answered; the others are to be sent again.
        await server.SendAsync(Encoding.ASCII.GetBytes("3 rsp 6 200 OK\n0 serverclose 0\n"));
        server.Close();
        await WaitAsync(connection.PeerClosed);
        Assert.Equal([c], connection.Unacknowledged());
    }

    [Fact]
    public async Task A_record_the_RELP_receiver_refuses_is_handed_back_with_its_answer_and_the_session_goes_on()
    {
        using var session = await RelpSession.OpenAsync();
        var (server, connection) = (session.Server, session.Connection);
        var (refused, next) = (RichAlerts.Violation("too-long"), RichAlerts.Violation("next"));
        await SendAsync(connection, refused);
        await SendAsync(connection, next);

        await server.SendAsync(Encoding.ASCII.GetBytes("2 rsp 25 500 message too long\u001b[31m\n3 rsp 6 200 OK\n"));
        await WaitAsync(() => connection.Unacknowledged().Count == 0);

        var (alert, answer) = Assert.Single(connection.TakeRefused());
        Assert.Same(refused, alert);
        Assert.Equal("500 message too long\\x1b[31m", answer);
        Assert.Empty(connection.TakeRefused());
        Assert.False(connection.PeerClosed());
    }

    [Fact]
    public async Task A_RELP_receiver_that_answers_a_record_never_sent_ends_the_session()
    {
        using var session = await RelpSession.OpenAsync();
        var (server, connection) = (session.Server, session.Connection);
        var alert = RichAlerts.Violation("a");
        await SendAsync(connection, alert);

        await server.SendAsync(Encoding.ASCII.GetBytes("7 rsp 6 200 OK\n"));
        await WaitAsync(connection.PeerClosed);

        Assert.Equal([alert], connection.Unacknowledged());
    }

    [Fact]
    public async Task A_RELP_receiver_that_stops_answering_stops_the_sender_at_the_window_and_times_it_out()
    {
        using var session = await RelpSession.OpenAsync();
        var (server, connection) = (session.Server, session.Connection);
        var alerts = Enumerable.Range(0, SyslogConnection.RelpWindow + 1).Select(i => RichAlerts.Violation($"w-{i}")).ToList();

        foreach (var alert in alerts.Take(SyslogConnection.RelpWindow))
        {
            await SendAsync(connection, alert);
        }

        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<TimeoutException>(async () =>
            await SendAsync(connection, alerts[^1]));

        Assert.InRange(DateTime.UtcNow - started, SyslogConnection.RelpAnswerTimeout - TimeSpan.FromMilliseconds(100), SyslogConnection.RelpAnswerTimeout * 3);
        Assert.Contains($"answered none of {SyslogConnection.RelpWindow} records", error.Message, StringComparison.Ordinal);
        Assert.Equal(alerts.Take(SyslogConnection.RelpWindow), connection.Unacknowledged());
    }

    /// <summary>A RELP connection to a scripted receiver that has answered the open with "200 OK".</summary>
    /// <summary>Sends one alert as the sink would (formatted, no cancellation).</summary>
    private static ValueTask SendAsync(SyslogConnection connection, Alert alert) =>
        connection.SendAsync(alert, Formatter.Format(alert), CancellationToken.None);

    private sealed class RelpSession : IDisposable
    {
        private readonly TcpListener _listener;

        private RelpSession(TcpListener listener, Socket server, SyslogConnection connection) =>
            (_listener, Server, Connection) = (listener, server, connection);

        public Socket Server { get; }

        public SyslogConnection Connection { get; }

        public static async Task<RelpSession> OpenAsync()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var target = new SyslogTarget(SyslogTransport.Relp, "127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port);
            var accepted = listener.AcceptSocketAsync();
            var connecting = SyslogConnection.ConnectAsync(target, CancellationToken.None);
            var server = await accepted;
            Assert.Matches("^1 open [0-9]+ relp_version=0\nrelp_software=[^\n]*\ncommands=syslog\n$",
                await ReceiveTextAsync(server));
            await server.SendAsync(Encoding.ASCII.GetBytes("1 rsp 6 200 OK\n"));
            return new RelpSession(listener, server, await connecting);
        }

        public void Dispose()
        {
            Connection.Dispose();
            Server.Dispose();
            _listener.Dispose();
        }
    }

    private static async Task<string> ReceiveTextAsync(Socket socket)
    {
        var buffer = new byte[65536];
        var count = await socket.ReceiveAsync(buffer);
        return Encoding.UTF8.GetString(buffer, 0, count);
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(20);
        }

        Assert.True(condition());
    }
}
