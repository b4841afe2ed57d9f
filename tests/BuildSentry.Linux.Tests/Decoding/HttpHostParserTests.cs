using System.Text;
using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Tests.Decoding;

public sealed class HttpHostParserTests
{
    private static SniffResult Parse(string request) => HttpHostParser.Parse(Encoding.Latin1.GetBytes(request));

    [Fact]
    public void The_host_of_a_real_curl_request_is_lowercased_without_its_port()
    {
        Assert.Equal(SniffResult.Found("example.test"), HttpHostParser.Parse(CapturedFixtures.CurlRequest));
    }

    [Theory]
    [InlineData("POST /x HTTP/1.0\r\nhOsT:   Upload.Example.com  \r\n\r\n", "upload.example.com")]
    [InlineData("GET / HTTP/1.1\nAccept: */*\nHost:\tbare-lf.example\n\n", "bare-lf.example")]
    [InlineData("PUT /a HTTP/1.1\r\nHost: [2001:DB8::1]:8443\r\n\r\n", "2001:db8::1")]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n", "::1")]
    [InlineData("GET / HTTP/1.1\r\nHost: 10.0.0.1:80\r\n\r\n", "10.0.0.1")]
    [InlineData("GET / HTTP/1.1\r\nHost: trailing.dot.\r\n\r\n", "trailing.dot")]
    [InlineData("CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n", "evil.example")]
    public void The_host_header_value_is_normalised(string request, string host)
    {
        Assert.Equal(SniffResult.Found(host), Parse(request));
    }

    [Fact]
    public void The_answer_comes_once_the_host_line_is_complete_even_if_headers_continue()
    {
        Assert.Equal(SniffResult.Found("early.example"), Parse("GET /?secret=1 HTTP/1.1\r\nHost: early.example\r\nX-Slow"));
    }

    [Fact]
    public void Control_characters_in_the_host_value_are_escaped()
    {
        var result = Parse("GET / HTTP/1.1\r\nHost: a\u001b[31mb\u0000c\r\n\r\n");

        Assert.Equal(@"a\027[31mb\000c", result.Host);
    }

    [Theory]
    [InlineData("\u0016\u0003\u0001\u0002\u0000\u0001")]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n")]
    [InlineData("get / HTTP/1.1\r\n")]
    [InlineData("GETX / HTTP/1.1\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("GET / HTTP/2\r\nHost: x\r\n\r\n")]
    [InlineData("GET /\r\n")]
    public void Data_that_is_not_an_HTTP_1_request_is_rejected(string data)
    {
        Assert.Equal(SniffStatus.NotThisProtocol, Parse(data).Status);
    }

    [Fact]
    public void Every_proper_prefix_of_a_request_asks_for_more()
    {
        var request = CapturedFixtures.CurlRequest;
        var hostLineEnd = Encoding.ASCII.GetString(request).IndexOf("8080\r\n", StringComparison.Ordinal) + 5;
        for (var length = 0; length <= hostLineEnd; length++)
        {
            Assert.Equal(SniffStatus.NeedMore, HttpHostParser.Parse(request.AsSpan(0, length)).Status);
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n")]
    [InlineData("GET / HTTP/1.0\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: \r\n\r\n")]
    public void A_request_without_a_host_says_so(string request)
    {
        Assert.Equal(SniffStatus.NotFound, Parse(request).Status);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nNoColonHere\r\nHost: x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost : x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n folded: x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x:http\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x:1234567\r\n\r\n")]
    public void Broken_header_syntax_is_malformed(string request)
    {
        Assert.Equal(SniffStatus.Malformed, Parse(request).Status);
    }

    [Fact]
    public void A_host_longer_than_a_DNS_name_can_be_is_malformed()
    {
        Assert.Equal(SniffStatus.Malformed, Parse($"GET / HTTP/1.1\r\nHost: {new string('a', 256)}\r\n\r\n").Status);
    }
}
