using BuildSentry.Linux.Decoding;

namespace BuildSentry.Linux.Tests.Decoding;

/// <summary>Seeded mutations and noise against the TLS and HTTP host parsers, whole and in random segments.</summary>
public sealed class HostSnifferFuzzTests
{
    [Fact]
    public void The_TLS_parser_survives_250_000_mutated_and_random_streams()
    {
        var outcomes = new int[Enum.GetValues<SniffStatus>().Length];
        FuzzCampaign.Run(1003, 250_000, m => FuzzSeeds.MutatedOrNoise(m, FuzzSeeds.TlsSeeds), input =>
        {
            var result = TlsClientHelloParser.Parse(input);
            FuzzAssert.AssertSane(result);
            outcomes[(int)result.Status]++;
        });

        Assert.All(outcomes, n => Assert.True(n > 100, string.Join('/', outcomes)));
    }

    [Fact]
    public void The_TLS_sniffer_survives_60_000_mutated_streams_in_random_segments() =>
        FuzzCampaign.Run(1004, 60_000, m => FuzzSeeds.MutatedOrNoise(m, FuzzSeeds.TlsSeeds), input =>
        {
            var sniffer = StreamHostSniffer.ForTls();
            foreach (var segment in FuzzSeeds.Segments(new Mutator(input.Length), input))
            {
                FuzzAssert.AssertSane(sniffer.Feed(segment.Span));
            }
        });

    [Fact]
    public void The_HTTP_parser_survives_200_000_mutated_and_random_requests()
    {
        var outcomes = new int[Enum.GetValues<SniffStatus>().Length];
        FuzzCampaign.Run(1005, 200_000, m => FuzzSeeds.MutatedOrNoise(m, FuzzSeeds.HttpSeeds), input =>
        {
            var result = HttpHostParser.Parse(input);
            FuzzAssert.AssertSane(result);
            outcomes[(int)result.Status]++;
        });

        Assert.All(outcomes, n => Assert.True(n > 100, string.Join('/', outcomes)));
    }

    [Fact]
    public void The_HTTP_sniffer_survives_40_000_mutated_requests_in_random_segments() =>
        FuzzCampaign.Run(1006, 40_000, m => FuzzSeeds.MutatedOrNoise(m, FuzzSeeds.HttpSeeds), input =>
        {
            var sniffer = StreamHostSniffer.ForHttp();
            foreach (var segment in FuzzSeeds.Segments(new Mutator(input.Length), input))
            {
                FuzzAssert.AssertSane(sniffer.Feed(segment.Span));
            }
        });
}
