using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Tests.Decoding;

public sealed class DnsNameCompressionTests
{
    private static bool QuestionParses(DnsWire wire) => DnsMessageParser.TryParse(wire.Question(1).Build(), out _);

    [Fact]
    public void A_pointer_to_itself_is_rejected()
    {
        var wire = DnsWire.Header(1, 0, 1, 0);
        Assert.False(QuestionParses(wire.Pointer(wire.Offset)));
    }

    [Fact]
    public void A_forward_pointer_is_rejected_even_when_it_lands_on_a_valid_name()
    {
        var wire = DnsWire.Header(1, 0, 1, 0).Pointer(14).Name("example.com");

        Assert.False(DnsMessageParser.TryParse(wire.Question(1).Build(), out _));
    }

    [Fact]
    public void Two_names_pointing_at_each_other_are_rejected()
    {
        // Name at 12 is "a" then a pointer to 16; name at 16 is "b" then a pointer back to 12.
        var wire = DnsWire.Header(1, 0, 2, 0).Label("a").Pointer(16).Label("b").Pointer(12);

        Assert.False(DnsMessageParser.TryParse(wire.Question(1).Build(), out _));
    }

    [Fact]
    public void A_pointer_back_into_the_labels_it_just_read_is_rejected()
    {
        // "x" at 12, then "y" at 14, then a pointer to 14: backwards from the pointer, but a loop.
        var wire = DnsWire.Header(1, 0, 1, 0).Label("x").Label("y").Pointer(14);

        Assert.False(QuestionParses(wire));
    }

    [Fact]
    public void A_chain_of_backward_pointers_longer_than_the_hop_bound_is_rejected()
    {
        var wire = DnsWire.Header(1, 0, 0, 0).Bytes(0);
        var previous = 12;
        for (var i = 0; i <= DnsNameReader.MaxPointerHops; i++)
        {
            var here = wire.Offset;
            wire.Pointer(previous);
            previous = here;
        }

        var message = wire.Build();
        Assert.False(DnsNameReader.TryRead(message, previous, out _, out _));
        Assert.True(DnsNameReader.TryRead(message, previous - (2 * 2), out var name, out _));
        Assert.Equal(".", name);
    }

    [Fact]
    public void A_name_longer_than_255_bytes_is_rejected_even_when_built_from_pointers()
    {
        var wire = DnsWire.Header(1, 0, 0, 0);
        var label = new string('a', 63);
        wire.Label(label).Label(label).Label(label).Bytes(0);
        var suffix = 12;
        var ok = wire.Offset;
        wire.Label("b").Pointer(suffix);
        var tooLong = wire.Offset;
        wire.Label(label).Pointer(suffix);

        var message = wire.Build();
        Assert.True(DnsNameReader.TryRead(message, ok, out var name, out _));
        Assert.Equal(1 + (3 * 64), name.Length);
        Assert.False(DnsNameReader.TryRead(message, tooLong, out _, out _));
    }

    [Theory]
    [InlineData(0x40)]
    [InlineData(0x80)]
    public void Reserved_label_types_are_rejected(byte type)
    {
        Assert.False(QuestionParses(DnsWire.Header(1, 0, 1, 0).Bytes(type, 0)));
    }

    [Fact]
    public void A_label_length_running_past_the_message_is_rejected()
    {
        Assert.False(DnsMessageParser.TryParse(DnsWire.Header(1, 0, 1, 0).Bytes(40, (byte)'a').Build(), out _));
    }

    [Fact]
    public void The_end_of_a_compressed_name_is_just_after_its_first_pointer()
    {
        var message = DnsSamples.CnameChainResponse();
        var firstAnswer = DnsSamples.QuestionNameOffset + 16 + 4;

        Assert.True(DnsNameReader.TryRead(message, firstAnswer, out var name, out var end));

        Assert.Equal("www.github.com", name);
        Assert.Equal(firstAnswer + 2, end);
    }
}
