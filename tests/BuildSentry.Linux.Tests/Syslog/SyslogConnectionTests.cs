using System.Net;
using System.Net.Sockets;
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

        await connection.SendAsync(read, Formatter.Format(read), CancellationToken.None);
        var buffer = new byte[65536];
        Assert.True(await server.ReceiveAsync(buffer) > 0);
        await WaitAsync(() => connection.Unacknowledged().Count == 0);

        // The receiver closes with nothing unread (FIN); the next write still "succeeds" into the kernel.
        server.Close();
        await WaitAsync(connection.PeerClosed);
        await connection.SendAsync(lost, Formatter.Format(lost), CancellationToken.None);
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

        await connection.SendAsync(alert, Formatter.Format(alert), CancellationToken.None);

        Assert.Empty(connection.Unacknowledged());
        Assert.StartsWith("<34>1 ", System.Text.Encoding.UTF8.GetString((await receiver.ReceiveAsync()).Buffer));
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
