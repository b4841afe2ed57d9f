using System.Diagnostics;
using System.Net;
using System.Text;
using BuildSentry.Core.Profiles;

namespace BuildSentry.Core.Tests.Profiles;

/// <summary>
/// Property: whatever text a profile file holds, loading it yields profiles or profile diagnostics,
/// never an exception or a hang. Seeded, so a failure replays.
/// </summary>
public sealed class ProfileFuzzTests
{
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(2);

    private const string Seed = """
        # comment
        name: job
        description: >-
          folded text
        mode: kill
        extends: [base, npm]
        egress:
          - github.com
          - "*.githubusercontent.com"
          - { host: api.github.com, ports: [443, "8000-8100"], protocol: tcp }
          - cidr: 10.0.0.0/8
          - { cidr: "2001:db8::/32", ports: 53, protocol: udp }
        dns: [internal.example, "*.corp.example"]
        processes:
          deny: [nc, /usr/bin/socat]
        match:
          - { ci: github, repository: "acme/*", workflow: build, job: test, runner: "r-?" }
        ---
        name: base
        egress: [&h base.example, *h]
        """;

    private static readonly string[] Tokens =
    [
        "name", "egress", "dns", "match", "extends", "processes", "deny", "host", "cidr", "ports", "protocol", "mode",
        ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "*", "*.", "&a ", "*a", "&b", "*b", "!!str ", "!!map ", "!<x> ", "?", "? ",
        "|", ">", "#", "'", "\"", "\\", "\n", "\n  ", "\n    ", " ", "\t", "\r", "---\n", "...\n", "%YAML 1.2\n", "%TAG ! x\n",
        "github.com", "10.0.0.0/8", "::ffff:1.2.3.4/120", "443", "1-65535", "65536", "0", "-1", "udp", "kill", "~", "null",
        "ü", "\u0456", "\u200b", "\ud83d\ude00", "\ud800", "\0", "\u0085", "\u2028", "xn--", "..", "@", "`", "%", "<<",
    ];

    [Fact]
    public void Random_and_mutated_YAML_only_ever_produces_profiles_or_profile_diagnostics()
    {
        var random = new Random(20261129);
        var total = Stopwatch.StartNew();
        for (var i = 0; i < 3000; i++)
        {
            var text = i % 3 == 0 ? RandomText(random) : Mutate(random, Seed);
            AssertLoadsCleanly(text, i);
        }

        Assert.True(total.Elapsed < TimeSpan.FromSeconds(20), $"took {total.Elapsed}");
    }

    [Theory]
    [InlineData(100_000, "[")]
    [InlineData(100_000, "{a: ")]
    [InlineData(100_000, "- ")]
    public void Deep_nesting_is_a_diagnostic_not_a_stack_overflow(int depth, string opener)
    {
        var diagnostics = AssertLoadsCleanly(string.Concat(Enumerable.Repeat(opener, depth)), 0);

        Assert.NotEmpty(diagnostics);
    }

    [Fact]
    public void Alias_fan_out_is_shared_rather_than_expanded()
    {
        var text = new StringBuilder("name: laughs\nx0: &a0 [github.com]\n");
        for (var i = 1; i < 30; i++)
        {
            text.Append($"x{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        }

        text.Append("egress: *a29\n");
        var watch = Stopwatch.StartNew();
        AssertLoadsCleanly(text.ToString(), 0);
        Assert.True(watch.Elapsed < PerCase);
    }

    [Fact]
    public void A_text_larger_than_the_limit_is_refused_without_parsing()
    {
        var diagnostics = AssertLoadsCleanly("name: big\n#" + new string('x', ProfileLoader.MaxSourceLength), 0);

        Assert.Equal("the file is larger than 1024 KiB", Assert.Single(diagnostics).Message);
    }

    private static IReadOnlyList<ProfileDiagnostic> AssertLoadsCleanly(string text, int caseNumber)
    {
        // A thread of its own, so a hang is caught by the timeout even when the pool is busy.
        var run = Task.Factory.StartNew(() => LoadAndQuery(text), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            Assert.True(run.Wait(PerCase), $"case {caseNumber} did not finish within {PerCase}: {Escape(text)}");
        }
        catch (AggregateException e)
        {
            Assert.Fail($"case {caseNumber} threw {e.InnerException}: {Escape(text)}");
        }

        foreach (var diagnostic in run.Result.Diagnostics)
        {
            Assert.Equal("fuzz.yaml", diagnostic.Source);
            Assert.True(diagnostic.Line >= 1 && diagnostic.Column >= 1, $"case {caseNumber}: {diagnostic}");
            Assert.False(string.IsNullOrWhiteSpace(diagnostic.Message));
        }

        return run.Result.Diagnostics;
    }

    private static ProfileLoadResult LoadAndQuery(string text)
    {
        var result = ProfileLoader.Load("fuzz.yaml", text);
        foreach (var profile in result.Profiles.Profiles)
        {
            profile.EvaluateConnection(["github.com", "x\0y"], IPAddress.Parse("10.1.2.3"), 443, TransportProtocol.Tcp);
            profile.EvaluateDnsQuery("a.corp.example");
            profile.EvaluateProcess("/usr/bin/nc", "nc");
            result.Profiles.Select(new JobDescriptor(CiSystem.GitHub, "acme/web", "build", "test", "r-1"));
        }

        return result;
    }

    private static string RandomText(Random random)
    {
        var text = new StringBuilder();
        var count = random.Next(1, 80);
        for (var i = 0; i < count; i++)
        {
            text.Append(random.Next(8) == 0 ? (char)random.Next(0, 0x3000) : Tokens[random.Next(Tokens.Length)]);
        }

        return text.ToString();
    }

    private static string Mutate(Random random, string text)
    {
        var builder = new StringBuilder(text);
        var mutations = random.Next(1, 6);
        for (var m = 0; m < mutations && builder.Length > 0; m++)
        {
            var at = random.Next(builder.Length);
            switch (random.Next(5))
            {
                case 0:
                    builder.Remove(at, Math.Min(random.Next(1, 12), builder.Length - at));
                    break;
                case 1:
                    builder.Insert(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 2:
                    builder[at] = (char)random.Next(0, 0x80);
                    break;
                case 3:
                    builder.Length = at;
                    break;
                default:
                    var lines = builder.ToString().Split('\n').ToList();
                    var line = random.Next(lines.Count);
                    lines.Insert(random.Next(lines.Count), lines[line]);
                    builder.Clear().AppendJoin('\n', lines);
                    break;
            }
        }

        return builder.ToString();
    }

    private static string Escape(string text) =>
        string.Concat(text.Take(400).Select(c => c is >= ' ' and < (char)0x7f ? c.ToString() : $"\\u{(int)c:x4}"));
}
