using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Tests.Decoding;

public sealed class DnsTcpReassemblerTests
{
    private static byte[] Framed(params byte[][] messages) =>
        [.. messages.SelectMany(m => new[] { (byte)(m.Length >> 8), (byte)m.Length }.Concat(m))];

    [Fact]
    public void Several_messages_in_one_segment_are_all_parsed_without_buffering()
    {
        var reassembler = new DnsTcpReassembler();
        var messages = new List<DnsMessage>();

        var added = reassembler.Feed(Framed(DnsSamples.Query("a.example", 1, 1), DnsSamples.CnameChainResponse()), messages);

        Assert.Equal(2, added);
        Assert.Equal([1, 0xBEEF], messages.Select(m => (int)m.Id));
        Assert.Equal(0, reassembler.BufferedBytes);
    }

    [Fact]
    public void A_stream_split_at_every_possible_pair_of_points_yields_the_same_messages()
    {
        var stream = Framed(DnsSamples.Query("a.example", 1, 1), DnsSamples.AaaaViaCnameResponse(), DnsSamples.Query("b.example", 28, 3));
        for (var first = 0; first <= stream.Length; first += 3)
        {
            for (var second = first; second <= stream.Length; second += 5)
            {
                var reassembler = new DnsTcpReassembler();
                var messages = new List<DnsMessage>();
                reassembler.Feed(stream.AsSpan(0, first), messages);
                reassembler.Feed(stream.AsSpan(first, second - first), messages);
                reassembler.Feed(stream.AsSpan(second), messages);

                Assert.Equal([1, 7, 3], messages.Select(m => (int)m.Id));
                Assert.Equal(2, messages[1].Answers.Count);
                Assert.Equal(0, reassembler.BufferedBytes);
            }
        }
    }

    [Fact]
    public void A_frame_that_does_not_parse_is_counted_and_the_next_one_still_parses()
    {
        var reassembler = new DnsTcpReassembler();
        var messages = new List<DnsMessage>();

        reassembler.Feed(Framed([1, 2, 3], [], DnsSamples.Query("ok.example", 1, 5)), messages);

        Assert.Equal(2, reassembler.MalformedMessages);
        Assert.Equal(5, Assert.Single(messages).Id);
    }

    [Fact]
    public void A_partial_message_waits_for_its_remaining_bytes_and_reset_drops_it()
    {
        var reassembler = new DnsTcpReassembler();
        var messages = new List<DnsMessage>();
        var stream = Framed(DnsSamples.CnameChainResponse());

        reassembler.Feed(stream.AsSpan(0, 20), messages);
        Assert.Empty(messages);
        Assert.Equal(20, reassembler.BufferedBytes);

        reassembler.Reset();
        reassembler.Feed(stream, messages);
        Assert.Single(messages);
    }

    [Fact]
    public void A_maximum_length_frame_is_buffered_whole_and_no_more()
    {
        var reassembler = new DnsTcpReassembler();
        var messages = new List<DnsMessage>();
        var frame = new byte[2 + ushort.MaxValue];
        frame[0] = frame[1] = 0xFF;

        for (var offset = 0; offset < frame.Length; offset += 1400)
        {
            reassembler.Feed(frame.AsSpan(offset, Math.Min(1400, frame.Length - offset)), messages);
            Assert.InRange(reassembler.BufferedBytes, 0, frame.Length);
        }

        Assert.Equal(0, reassembler.BufferedBytes);
        Assert.Single(messages);
    }
}
