using BenchmarkDotNet.Attributes;
using BuildSentry.Linux.Decoding;
using BuildSentry.Linux.Tests.Decoding;
using PacketDotNet;

namespace BuildSentry.Benchmarks.Decoding;

/// <summary>The per-packet work of the network sensor's hot path.</summary>
[MemoryDiagnoser]
public class DecodingBenchmarks
{
    private readonly PacketDecoder _decoder = new();
    private readonly byte[] _sllTcpSyn = FrameBuilder.SllTcpSyn();
    private readonly byte[] _dnsResponse = DnsSamples.CnameChainResponse();
    private readonly byte[] _clientHello = CapturedFixtures.OpenSslClientHello;
    private readonly byte[] _httpRequest = CapturedFixtures.CurlRequest;

    [Benchmark]
    public int DecodeSllTcpSyn() => _decoder.Decode(_sllTcpSyn, LinkLayers.LinuxSll).DestinationPort;

    [Benchmark]
    public int ParseDnsCnameChainResponse() =>
        DnsMessageParser.TryParse(_dnsResponse, out var message) ? message.Answers.Count : -1;

    [Benchmark]
    public string? ParseTlsClientHelloSni() => TlsClientHelloParser.Parse(_clientHello).Host;

    [Benchmark]
    public string? ParseHttpHost() => HttpHostParser.Parse(_httpRequest).Host;
}
