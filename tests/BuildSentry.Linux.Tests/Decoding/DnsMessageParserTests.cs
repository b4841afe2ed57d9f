using System.Net;
using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Tests.Decoding;

public sealed class DnsMessageParserTests
{
    [Fact]
    public void A_query_yields_its_id_and_question_with_the_name_lowercased()
    {
        Assert.True(DnsMessageParser.TryParse(DnsSamples.Query("Evil.Example.COM", 1), out var message));

        Assert.Equal(0x1234, message.Id);
        Assert.False(message.IsResponse);
        Assert.Equal(new DnsQuestion("evil.example.com", DnsWireType.A), Assert.Single(message.Questions));
        Assert.Empty(message.Answers);
        Assert.True(message.IsComplete);
    }

    [Fact]
    public void A_compressed_CNAME_chain_resolves_every_name_and_address()
    {
        Assert.True(DnsMessageParser.TryParse(DnsSamples.CnameChainResponse(), out var message));

        Assert.True(message.IsResponse);
        Assert.Equal(0, message.ResponseCode);
        Assert.Equal(
            [
                new DnsAnswer("www.github.com", DnsWireType.Cname, 3600, null, "github.com"),
                new DnsAnswer("github.com", DnsWireType.A, 60, IPAddress.Parse("140.82.121.3"), null),
                new DnsAnswer("github.com", DnsWireType.A, 60, IPAddress.Parse("140.82.121.4"), null),
            ],
            message.Answers);
        Assert.True(message.IsComplete);
    }

    [Fact]
    public void An_AAAA_answer_behind_a_CNAME_is_read_and_other_record_types_are_skipped()
    {
        Assert.True(DnsMessageParser.TryParse(DnsSamples.AaaaViaCnameResponse(), out var message));

        Assert.Equal(
            [
                new DnsAnswer("cdn.example.org", DnsWireType.Cname, 300, null, "edge.cdn-provider.net"),
                new DnsAnswer("edge.cdn-provider.net", DnsWireType.Aaaa, 20, IPAddress.Parse("2001:db8::1"), null),
            ],
            message.Answers);
        Assert.True(message.IsComplete);
    }

    [Fact]
    public void The_response_code_and_truncation_flag_come_from_the_header()
    {
        var nxdomain = DnsWire.Header(9, 0x8383, 1, 0).Name("nope.example").Question(1).Build();

        Assert.True(DnsMessageParser.TryParse(nxdomain, out var message));

        Assert.Equal(3, message.ResponseCode);
        Assert.True(message.IsTruncated);
    }

    [Fact]
    public void Control_characters_dots_and_high_bytes_inside_labels_are_escaped()
    {
        var hostile = DnsWire.Header(1, 0x0100, 1, 0)
            .Label([(byte)'A', 0x0A, (byte)'.', 0x1B, 0xFF, (byte)'\\', (byte)' ']).Label("Com").Bytes(0).Question(1).Build();

        Assert.True(DnsMessageParser.TryParse(hostile, out var message));

        var name = Assert.Single(message.Questions).Name;
        Assert.Equal(@"a\010\.\027\255\\\032.com", name);
        Assert.DoesNotContain(name, char.IsControl);
    }

    [Fact]
    public void The_root_name_reads_as_a_single_dot()
    {
        Assert.True(DnsMessageParser.TryParse(DnsWire.Header(1, 0, 1, 0).Bytes(0).Question(2).Build(), out var message));

        Assert.Equal(".", Assert.Single(message.Questions).Name);
    }

    [Fact]
    public void A_message_cut_at_any_byte_never_throws_and_never_claims_to_be_complete()
    {
        var full = DnsSamples.AaaaViaCnameResponse();
        var answersEnd = full.Length - 11;
        for (var length = 0; length < full.Length; length++)
        {
            var parsed = DnsMessageParser.TryParse(full.AsSpan(0, length), out var message);
            if (length < answersEnd)
            {
                Assert.False(parsed && message!.IsComplete, $"complete at {length}");
            }
        }
    }

    [Fact]
    public void A_broken_answer_section_keeps_the_question_and_the_answers_before_the_break()
    {
        var full = DnsSamples.CnameChainResponse();
        var cut = full.AsSpan(0, full.Length - 2);

        Assert.True(DnsMessageParser.TryParse(cut, out var message));

        Assert.Equal("www.github.com", Assert.Single(message.Questions).Name);
        Assert.Equal(2, message.Answers.Count);
        Assert.False(message.IsComplete);
    }

    [Fact]
    public void An_A_record_with_a_wrong_data_length_ends_the_answers()
    {
        var wire = DnsWire.Header(1, 0x8180, 1, 1).Name("a.example").Question(1);
        wire.Pointer(12).RecordHeader(1, 5, 5).Bytes(1, 2, 3, 4, 5);

        Assert.True(DnsMessageParser.TryParse(wire.Build(), out var message));

        Assert.Empty(message.Answers);
        Assert.False(message.IsComplete);
    }

    [Fact]
    public void A_CNAME_target_that_does_not_fill_its_data_length_ends_the_answers()
    {
        var wire = DnsWire.Header(1, 0x8180, 1, 1).Name("a.example").Question(1);
        wire.Pointer(12).RecordHeader(5, 5, 6).Pointer(12).Bytes(0, 0, 0, 0);

        Assert.True(DnsMessageParser.TryParse(wire.Build(), out var message));

        Assert.False(message.IsComplete);
    }

    [Fact]
    public void Huge_counts_in_a_tiny_message_are_bounded_by_the_bytes_present()
    {
        var lying = DnsWire.Header(1, 0x8180, 1, 0xFFFF).Name("a.example").Question(1).Build();

        Assert.True(DnsMessageParser.TryParse(lying, out var message));
        Assert.Empty(message.Answers);
        Assert.False(message.IsComplete);
        Assert.False(DnsMessageParser.TryParse(DnsWire.Header(1, 0, 0xFFFF, 0).Build(), out _));
    }
}
