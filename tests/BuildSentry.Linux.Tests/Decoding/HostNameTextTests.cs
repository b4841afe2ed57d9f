using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Tests.Decoding;

public sealed class HostNameTextTests
{
    [Fact]
    public void Every_byte_value_comes_out_as_printable_ASCII_without_spaces()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        var text = HostNameText.Normalize(all[..255]) + HostNameText.Normalize(all[255..]);

        Assert.All(text, c => Assert.InRange(c, '!', '~'));
        Assert.DoesNotContain(text, char.IsUpper);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'A', (byte)'z' }, "az")]
    [InlineData(new byte[] { (byte)'\\' }, @"\\")]
    [InlineData(new byte[] { 0x20 }, @"\032")]
    [InlineData(new byte[] { 0x7F }, @"\127")]
    [InlineData(new byte[] { 0x00 }, @"\000")]
    public void Bytes_are_written_in_presentation_format(byte[] name, string expected)
    {
        Assert.Equal(expected, HostNameText.Normalize(name));
    }

    [Fact]
    public void A_host_loses_one_trailing_dot_but_a_lone_dot_stays()
    {
        Assert.Equal("a.b", HostNameText.NormalizeHost("A.B."u8));
        Assert.Equal(".", HostNameText.NormalizeHost("."u8));
    }
}
