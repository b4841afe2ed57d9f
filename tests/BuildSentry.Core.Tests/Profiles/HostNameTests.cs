using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Tests.Profiles;

public sealed class HostNameTests
{
    [Theory]
    [InlineData("github.com", "github.com")]
    [InlineData("GitHub.COM", "github.com")]
    [InlineData("GITHUB.COM.", "github.com")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("XN--BCHER-KVA.example", "xn--bcher-kva.example")]
    [InlineData("_acme-challenge.example.com", "_acme-challenge.example.com")]
    [InlineData("gіthub.com", "xn--gthub-n2e.com")]
    public void Normalises_case_trailing_dots_and_internationalised_names(string input, string expected)
    {
        Assert.True(HostName.TryNormalize(input, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("github..com")]
    [InlineData(".github.com")]
    [InlineData("github.com..")]
    [InlineData("git hub.com")]
    [InlineData("github.com/evil")]
    [InlineData("-github.com")]
    [InlineData("github-.com")]
    [InlineData("evil\0.com")]
    [InlineData("xn--zz-.com")]
    [InlineData("*.github.com")]
    public void Rejects_names_DNS_cannot_carry(string input)
    {
        Assert.False(HostName.TryNormalize(input, out _));
    }

    [Fact]
    public void Rejects_a_label_longer_than_63_characters_and_a_name_longer_than_253()
    {
        Assert.True(HostName.TryNormalize(new string('a', 63) + ".com", out _));
        Assert.False(HostName.TryNormalize(new string('a', 64) + ".com", out _));
        var long254 = string.Join('.', Enumerable.Repeat(new string('a', 50), 5));
        Assert.Equal(254, long254.Length);
        Assert.False(HostName.TryNormalize(long254, out _));
    }
}
