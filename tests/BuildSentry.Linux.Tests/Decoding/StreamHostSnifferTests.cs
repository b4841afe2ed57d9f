using System.Text;
using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Tests.Decoding;

public sealed class StreamHostSnifferTests
{
    [Fact]
    public void A_ClientHello_in_many_records_over_many_segments_is_found_at_its_last_byte()
    {
        var stream = TlsClientHelloParserTests.SplitIntoRecords(CapturedFixtures.OpenSslClientHello, 30);
        var sniffer = StreamHostSniffer.ForTls();

        for (var offset = 0; offset < stream.Length - 7; offset += 7)
        {
            Assert.Equal(SniffStatus.NeedMore, sniffer.Feed(stream.AsSpan(offset, 7)).Status);
        }

        var last = stream.Length - (stream.Length / 7 * 7);
        Assert.Equal(SniffResult.Found("example.test"), sniffer.Feed(stream.AsSpan(stream.Length - (last == 0 ? 7 : last))));
        Assert.Equal(0, sniffer.BufferedBytes);
    }

    [Fact]
    public void A_real_curl_ClientHello_fed_one_byte_at_a_time_is_found_at_its_last_byte()
    {
        var hello = CapturedFixtures.CurlClientHello;
        var sniffer = StreamHostSniffer.ForTls();

        var results = hello.Select(b => sniffer.Feed([b])).ToList();

        Assert.All(results[..^1], r => Assert.Equal(SniffStatus.NeedMore, r.Status));
        Assert.Equal(SniffResult.Found("download.example.test"), results[^1]);
    }

    [Fact]
    public void A_whole_ClientHello_in_the_first_segment_is_answered_without_buffering()
    {
        var sniffer = StreamHostSniffer.ForTls();

        Assert.Equal(SniffResult.Found("example.test"), sniffer.Feed(CapturedFixtures.OpenSslClientHello));
        Assert.Equal(0, sniffer.BufferedBytes);
    }

    [Fact]
    public void The_answer_sticks_once_known_whatever_comes_next()
    {
        var sniffer = StreamHostSniffer.ForHttp();

        Assert.Equal(SniffStatus.NotThisProtocol, sniffer.Feed("\u0016\u0003\u0001"u8).Status);
        Assert.Equal(SniffStatus.NotThisProtocol, sniffer.Feed(CapturedFixtures.CurlRequest).Status);
    }

    [Fact]
    public void An_HTTP_request_split_into_single_bytes_is_found()
    {
        var sniffer = StreamHostSniffer.ForHttp();
        var results = CapturedFixtures.CurlRequest.Select(b => sniffer.Feed([b])).ToList();

        Assert.Equal(SniffResult.Found("example.test"), results.First(r => r.Status != SniffStatus.NeedMore));
    }

    [Fact]
    public void A_stream_that_outgrows_the_bound_without_an_answer_is_malformed()
    {
        var sniffer = StreamHostSniffer.ForHttp();
        var filler = Encoding.ASCII.GetBytes("X-Pad: " + new string('p', 1000) + "\r\n");

        var result = sniffer.Feed("GET / HTTP/1.1\r\n"u8);
        for (var i = 0; i < 20 && result.Status == SniffStatus.NeedMore; i++)
        {
            result = sniffer.Feed(filler);
            Assert.InRange(sniffer.BufferedBytes, 0, HttpHostParser.MaxHeadBytes);
        }

        Assert.Equal(SniffStatus.Malformed, result.Status);
    }

    [Fact]
    public void A_first_segment_larger_than_the_bound_is_parsed_only_up_to_the_bound()
    {
        var huge = new byte[HttpHostParser.MaxHeadBytes * 2];
        Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nX: ").CopyTo(huge, 0);
        huge.AsSpan(20).Fill((byte)'a');

        Assert.Equal(SniffStatus.Malformed, StreamHostSniffer.ForHttp().Feed(huge).Status);
    }
}
