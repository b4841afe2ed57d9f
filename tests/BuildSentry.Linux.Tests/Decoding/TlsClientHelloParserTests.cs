using System.Buffers.Binary;
using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Tests.Decoding;

public sealed class TlsClientHelloParserTests
{
    private static readonly byte[] Hello = CapturedFixtures.OpenSslClientHello;

    /// <summary>Re-frames the captured handshake message into records of at most <paramref name="size"/> bytes.</summary>
    internal static byte[] SplitIntoRecords(byte[] singleRecord, int size)
    {
        var handshake = singleRecord.AsSpan(5);
        var output = new List<byte>();
        for (var offset = 0; offset < handshake.Length; offset += size)
        {
            var chunk = handshake.Slice(offset, Math.Min(size, handshake.Length - offset));
            output.AddRange([22, 3, 1, (byte)(chunk.Length >> 8), (byte)chunk.Length]);
            output.AddRange(chunk.ToArray());
        }

        return [.. output];
    }

    [Fact]
    public void The_server_name_of_a_real_OpenSSL_ClientHello_is_found()
    {
        Assert.Equal(SniffResult.Found("example.test"), TlsClientHelloParser.Parse(Hello));
    }

    [Fact]
    public void The_server_name_of_a_real_curl_ClientHello_is_found()
    {
        Assert.Equal(SniffResult.Found("download.example.test"), TlsClientHelloParser.Parse(CapturedFixtures.CurlClientHello));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(50)]
    [InlineData(200)]
    public void A_ClientHello_spread_over_several_records_is_gathered(int recordSize)
    {
        Assert.Equal(SniffResult.Found("example.test"), TlsClientHelloParser.Parse(SplitIntoRecords(Hello, recordSize)));
    }

    [Fact]
    public void Every_proper_prefix_asks_for_more()
    {
        foreach (var stream in new[] { Hello, SplitIntoRecords(Hello, 40) })
        {
            for (var length = 0; length < stream.Length; length++)
            {
                Assert.Equal(SniffStatus.NeedMore, TlsClientHelloParser.Parse(stream.AsSpan(0, length)).Status);
            }
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("\u0017\u0003\u0003\u0000\u0010")]
    [InlineData("\u0016\u0002")]
    [InlineData("\u0016\u0003\u0009")]
    public void Streams_that_do_not_start_with_a_handshake_record_are_not_TLS(string start)
    {
        Assert.Equal(SniffStatus.NotThisProtocol, TlsClientHelloParser.Parse(System.Text.Encoding.Latin1.GetBytes(start)).Status);
    }

    [Fact]
    public void A_handshake_that_is_not_a_ClientHello_is_not_what_the_sniffer_wants()
    {
        var serverHello = (byte[])Hello.Clone();
        serverHello[5] = 2;

        Assert.Equal(SniffStatus.NotThisProtocol, TlsClientHelloParser.Parse(serverHello).Status);
    }

    [Fact]
    public void A_ClientHello_without_the_server_name_extension_has_no_name()
    {
        var hello = (byte[])Hello.Clone();
        var sni = hello.AsSpan().IndexOf(new byte[] { 0x00, 0x00, 0x00, 0x11 });
        hello[sni + 1] = 0xEE;

        Assert.Equal(SniffStatus.NotFound, TlsClientHelloParser.Parse(hello).Status);
    }

    [Fact]
    public void Lengths_that_disagree_at_any_level_are_malformed()
    {
        var sni = Hello.AsSpan().IndexOf(new byte[] { 0x00, 0x00, 0x00, 0x11 });
        foreach (var (offset, delta) in new[] { (3, -1), (7, 1), (sni + 2, 1), (sni + 4, -1), (sni + 7, 1), (sni - 2, 1) })
        {
            var hello = (byte[])Hello.Clone();
            BinaryPrimitives.WriteUInt16BigEndian(hello.AsSpan(offset), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(hello.AsSpan(offset)) + delta));

            var status = TlsClientHelloParser.Parse(hello).Status;
            Assert.True(status is SniffStatus.Malformed or SniffStatus.NeedMore, $"offset {offset}: {status}");
        }
    }

    [Fact]
    public void A_declared_ClientHello_larger_than_the_bound_is_malformed_at_once()
    {
        Assert.Equal(SniffStatus.Malformed, TlsClientHelloParser.Parse([22, 3, 1, 0, 4, 1, 0x01, 0x00, 0x00]).Status);
        Assert.Equal(SniffStatus.Malformed, TlsClientHelloParser.Parse([22, 3, 1, 0, 2, 1, 0x01, 22, 3, 1, 0, 2, 0, 1]).Status);
    }

    [Fact]
    public void A_hostile_server_name_is_lowercased_and_escaped()
    {
        var hello = (byte[])Hello.Clone();
        var name = hello.AsSpan().IndexOf("example.test"u8);
        "Ex\nmp\u001b\u00ffe.tesT"u8[..12].CopyTo(hello.AsSpan(name));

        var result = TlsClientHelloParser.Parse(hello);

        Assert.Equal(SniffStatus.Found, result.Status);
        Assert.Equal(@"ex\010mp\027\195\191e.te", result.Host);
        Assert.DoesNotContain(result.Host!, char.IsControl);
    }
}
