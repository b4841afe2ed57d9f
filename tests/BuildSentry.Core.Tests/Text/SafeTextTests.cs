using BuildSentry.Core.Text;

namespace BuildSentry.Core.Tests.Text;

public sealed class SafeTextTests
{
    [Theory]
    [InlineData(new byte[] { 0x63, 0x75, 0x72, 0x6c }, "curl")]
    [InlineData(new byte[] { 0x61, 0x0a, 0x62 }, @"a\x0ab")]
    [InlineData(new byte[] { 0xff, 0xfe, 0x41 }, @"\xff\xfeA")]
    [InlineData(new byte[] { 0xc3, 0xa9 }, "é")]
    [InlineData(new byte[] { 0xc3 }, @"\xc3")]
    [InlineData(new byte[] { 0x1b, 0x5b, 0x33, 0x31, 0x6d }, @"\x1b[31m")]
    [InlineData(new byte[] { 0x5c, 0x78, 0x34, 0x31 }, @"\\x41")]
    [InlineData(new byte[] { 0xc2, 0x85 }, @"\u{0085}")]
    public void Bytes_become_text_without_controls_or_invalid_UTF8_and_escapes_stay_unambiguous(byte[] input, string expected) =>
        Assert.Equal(expected, SafeText.FromUtf8(input));

    [Fact]
    public void Random_bytes_never_yield_a_control_character()
    {
        var random = new Random(7);
        var buffer = new byte[64];
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(buffer);
            var text = SafeText.FromUtf8(buffer.AsSpan(0, random.Next(buffer.Length)));
            Assert.DoesNotContain(text, c => char.IsControl(c) || char.IsSurrogate(c) && !IsPaired(text, c));
        }
    }

    [Fact]
    public void Truncation_marks_the_cut_and_never_splits_a_surrogate_pair()
    {
        var text = new string('a', 20) + "😀" + new string('b', 20);

        var cut = SafeText.Truncate(text, 35);

        Assert.True(cut.Length <= 35);
        Assert.EndsWith("...[truncated]", cut);
        Assert.False(char.IsHighSurrogate(cut[^15]));
    }

    private static bool IsPaired(string text, char c)
    {
        var i = text.IndexOf(c);
        return char.IsHighSurrogate(c) ? i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) : i > 0 && char.IsHighSurrogate(text[i - 1]);
    }
}
