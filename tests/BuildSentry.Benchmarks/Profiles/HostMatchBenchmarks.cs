using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Benchmarks.Profiles;

/// <summary>
/// The verdict the monitor asks for on every connection, against a profile far larger than any real
/// one: 1,000 rules (exact hosts, wildcards and CIDRs), loaded through the real loader.
/// </summary>
[MemoryDiagnoser]
public class HostMatchBenchmarks
{
    public const int RuleCount = 1_000;

    private static readonly IPAddress UnknownAddress = IPAddress.Parse("192.0.2.77");

    private readonly string[] _exactHit = ["host-0780.example.test"];
    private readonly string[] _wildcardHit = ["a.b.domain-0333.test"];
    private readonly string[] _miss = ["evil.test", "collect.exfil.test"];
    private ResolvedProfile _profile = null!;

    [GlobalSetup]
    public void LoadProfile()
    {
        var loaded = ProfileLoader.Load("generated.yaml", GenerateProfile(RuleCount));
        if (loaded.Diagnostics.Count > 0)
        {
            throw new InvalidOperationException(string.Join("\n", loaded.Diagnostics));
        }

        _profile = loaded.Profiles.Profiles.Single();
    }

    /// <summary>Half exact hosts, a third wildcards, the rest CIDRs, with a spread of ports.</summary>
    public static string GenerateProfile(int rules)
    {
        var yaml = new StringBuilder("name: generated\nmatch: { ci: github }\negress:\n");
        for (var i = 0; i < rules; i++)
        {
            var port = 443 + (i % 3);
            yaml.Append((i % 6) switch
            {
                0 or 1 or 2 => $"  - {{ host: host-{i:D4}.example.test, ports: [{port}, 80] }}\n",
                3 or 4 => $"  - {{ host: \"*.domain-{i:D4}.test\", ports: [{port}] }}\n",
                _ => $"  - {{ cidr: 10.{i / 256 % 256}.{i % 256}.0/24 }}\n",
            });
        }

        return yaml.ToString();
    }

    [Benchmark]
    public bool ExactHostHit() => _profile.EvaluateConnection(_exactHit, null, 80, TransportProtocol.Tcp).Allowed;

    [Benchmark]
    public bool WildcardHostHit() => _profile.EvaluateConnection(_wildcardHit, null, 443, TransportProtocol.Tcp).Allowed;

    [Benchmark]
    public bool Miss() => _profile.EvaluateConnection(_miss, UnknownAddress, 443, TransportProtocol.Tcp).Allowed;

    [Benchmark]
    public bool HostNameMiss() => _profile.EvaluateHostName("collect.exfil.test").Allowed;
}
