using System.Text;
using BuildSentry.Linux.Cgroups;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Tests.Interop;

public sealed class ProcFileTests
{
    [Fact]
    public void ReadAll_grows_its_buffer_until_the_whole_file_fits()
    {
        var path = Path.Combine(Path.GetTempPath(), $"procfile-{Guid.NewGuid():N}");
        var pids = Enumerable.Range(1, 5000).ToList();
        File.WriteAllText(path, string.Join('\n', pids) + "\n");
        try
        {
            // 16 bytes to start with: the read is cut many times before it fits (the file is ~24 KB).
            var read = ProcFile.ReadAll(path, JobCgroups.ParsePids, [], initialSize: 16);
            Assert.Equal(pids, read);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadAll_returns_the_empty_value_for_a_file_that_cannot_be_opened()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"procfile-missing-{Guid.NewGuid():N}");
        Assert.Equal(-1, ProcFile.ReadAll(missing, text => text.Length, -1));
        Assert.Empty(JobCgroups.Processes(missing));
    }

    [Fact]
    public void ReadAll_handles_a_path_longer_than_its_stack_buffer()
    {
        var root = Path.Combine(Path.GetTempPath(), $"procfile-{Guid.NewGuid():N}");
        var directory = Path.Combine(root, new string('d', 200), new string('e', 200), new string('f', 200));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "cgroup.procs");
        File.WriteAllText(path, "42\n");
        try
        {
            Assert.Equal([42], JobCgroups.Processes(directory));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("", new int[0])]
    [InlineData("1\n2\n3\n", new[] { 1, 2, 3 })]
    [InlineData("7", new[] { 7 })]
    [InlineData("12\n\n-4\nabc\n99999999999\n0\n5 \n8\n", new[] { 12, 8 })]
    public void ParsePids_keeps_only_whole_positive_decimal_lines(string text, int[] expected) =>
        Assert.Equal(expected, JobCgroups.ParsePids(Encoding.UTF8.GetBytes(text)));
}
