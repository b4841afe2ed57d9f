using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Tests.Profiles;

public sealed class PublicSuffixListTests
{
    private const string Sample = """
        // ===BEGIN ICANN DOMAINS===
        com
        uk
        co.uk
        *.ck
        !www.ck
        公司.cn
        // ===BEGIN PRIVATE DOMAINS===
        github.io
        s3.amazonaws.com  trailing text is ignored
        *.compute.amazonaws.com
        a..b
        """;

    private static readonly PublicSuffixList List = PublicSuffixList.Parse(Sample);

    [Theory]
    [InlineData("github.com", "com", "github.com")]
    [InlineData("a.b.example.co.uk", "co.uk", "example.co.uk")]
    [InlineData("acme.github.io", "github.io", "acme.github.io")]
    [InlineData("x.acme.github.io", "github.io", "acme.github.io")]
    [InlineData("bucket.s3.amazonaws.com", "s3.amazonaws.com", "bucket.s3.amazonaws.com")]
    [InlineData("a.b.eu-west-1.compute.amazonaws.com", "eu-west-1.compute.amazonaws.com", "b.eu-west-1.compute.amazonaws.com")]
    [InlineData("shop.anything.ck", "anything.ck", "shop.anything.ck")]
    [InlineData("www.ck", "ck", "www.ck")]
    [InlineData("a.exfil.test", "test", "exfil.test")]
    [InlineData("xn--55qx5d.cn", "xn--55qx5d.cn", null)]
    [InlineData("shop.xn--55qx5d.cn", "xn--55qx5d.cn", "shop.xn--55qx5d.cn")]
    public void Finds_the_longest_rule_exceptions_first_and_the_last_label_by_default(string name, string suffix, string? registrable)
    {
        Assert.Equal(suffix, List.PublicSuffixOf(name));
        Assert.Equal(registrable, List.RegistrableDomainOf(name));
    }

    [Theory]
    [InlineData("github.io", true)]
    [InlineData("s3.amazonaws.com", true)]
    [InlineData("co.uk", true)]
    [InlineData("anything.ck", true)]
    [InlineData("test", true)]
    [InlineData("amazonaws.com", false)]
    [InlineData("acme.github.io", false)]
    [InlineData("www.ck", false)]
    public void Says_which_names_are_public_suffixes(string name, bool isSuffix) =>
        Assert.Equal(isSuffix, List.IsPublicSuffix(name));

    [Fact]
    public void Skips_rules_that_are_not_names_and_counts_them()
    {
        Assert.Equal(1, List.RulesSkipped);
        Assert.Equal(9, List.RuleCount);
    }

    [Fact]
    public void Survives_arbitrary_bytes_and_an_oversized_text()
    {
        var random = new Random(18);
        for (var i = 0; i < 200; i++)
        {
            var chars = new char[random.Next(0, 400)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = (char)random.Next(0, 0x3000);
            }

            var list = PublicSuffixList.Parse(new string(chars));
            Assert.Equal("example.com", list.RegistrableDomainOf("www.example.com"));
        }

        var huge = PublicSuffixList.Parse(string.Concat(Enumerable.Repeat("example.org\n", PublicSuffixList.MaxTextLength / 8)));
        Assert.True(huge.IsPublicSuffix("example.org"));
    }

    [Fact]
    public void Reads_the_list_Debian_ships()
    {
        if (!File.Exists(PublicSuffixList.DebianPath))
        {
            Assert.Fail($"{PublicSuffixList.DebianPath} is missing: install Debian's publicsuffix package (scripts/deps.sh does)");
        }

        var list = PublicSuffixList.Parse(File.ReadAllText(PublicSuffixList.DebianPath));
        Assert.True(list.RuleCount > 5000, $"{list.RuleCount} rules");
        Assert.True(list.IsPublicSuffix("github.io"));
        Assert.True(list.IsPublicSuffix("s3.amazonaws.com"));
        Assert.True(list.IsPublicSuffix("githubusercontent.com"));
        Assert.Equal("github.com", list.RegistrableDomainOf("api.github.com"));
        Assert.Equal("bbc.co.uk", list.RegistrableDomainOf("news.bbc.co.uk"));
    }
}
