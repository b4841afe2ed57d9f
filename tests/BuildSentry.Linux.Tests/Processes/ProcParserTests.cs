using System.Text;
using BuildSentry.Core.Jobs;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Tests.Processes;

public sealed class ProcParserTests
{
    private const string StatTail =
        " S 41 42 42 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 18446744073709551615\n";

    [Theory]
    [InlineData("sleep")]
    [InlineData("a) b (c")]
    [InlineData(") 1 2 3 4 5 6")]
    [InlineData("")]
    public void Stat_is_read_from_the_last_parenthesis_whatever_the_comm_holds(string comm)
    {
        Assert.True(ProcStat.TryParse(Encoding.UTF8.GetBytes($"42 ({comm}){StatTail}"), out var stat));
        Assert.Equal(new ProcStat(41, 987654, comm), stat);
    }

    [Theory]
    [InlineData("")]
    [InlineData("42 (x)")]
    [InlineData("42 (x) S 41")]
    [InlineData("42 (x) S notanumber 42 42 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 987654")]
    [InlineData("42 x) S 41 42 42 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 1 0 987654")]
    public void A_garbled_stat_is_rejected(string line)
    {
        Assert.False(ProcStat.TryParse(Encoding.UTF8.GetBytes(line), out _));
    }

    [Fact]
    public void Argv_is_cut_at_64_arguments_and_the_cut_is_marked()
    {
        var data = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 100).Select(i => $"a{i}\0")));
        var argv = CmdlineParser.Parse(data);
        Assert.Equal(CmdlineParser.MaxArgs + 1, argv.Count);
        Assert.Equal("a63", argv[63]);
        Assert.Equal(CmdlineParser.TruncationMarker, argv[^1]);
    }

    [Fact]
    public void Argv_is_cut_at_4_KiB_and_the_cut_is_marked()
    {
        var data = Encoding.ASCII.GetBytes("sh\0" + new string('x', 5000) + "\0");
        var argv = CmdlineParser.Parse(data.AsSpan(0, CmdlineParser.MaxBytes + 1));
        Assert.Equal(["sh", new string('x', CmdlineParser.MaxBytes - 3), CmdlineParser.TruncationMarker], argv);
        Assert.Equal(["sh", "-c", "true"], CmdlineParser.Parse("sh\0-c\0true\0"u8));
    }

    [Fact]
    public void Only_job_marker_keys_are_taken_from_the_environment_and_values_are_capped()
    {
        var environ = Encoding.UTF8.GetBytes(
            "AWS_SECRET_ACCESS_KEY=hunter2\0GITHUB_RUN_ID=77\0=odd\0NOEQUALS\0GITHUB_RUN_ID=second\0" +
            $"GITHUB_JOB={new string('j', 1000)}\0ÄGITHUB_JOB=x\0CI_JOB_ID");
        var markers = EnvironMarkers.Parse(environ);
        Assert.Equal(2, markers.Count);
        Assert.Equal("77", markers["GITHUB_RUN_ID"]);
        Assert.Equal(JobMarkers.MaxValueLength, markers["GITHUB_JOB"].Length);
        Assert.DoesNotContain(markers.Values, v => v.Contains("hunter2"));
    }
}
