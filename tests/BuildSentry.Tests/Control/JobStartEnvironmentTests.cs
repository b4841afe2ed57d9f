using System.Text.Json;

namespace BuildSentry.Tests.Control;

/// <summary>The real binary, in a child process with a job's environment: secrets in that environment must not leave it.</summary>
public sealed class JobStartEnvironmentTests
{
    private const string Secret = "hunter2-secret-value";

    [Fact]
    public async Task Job_start_sends_the_job_marker_variables_and_nothing_else_from_its_environment()
    {
        using var server = new LineCapturingServer();
        var (dotnet, prefix) = ChildProcess.BuildSentry();
        var environment = new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_RUN_ID"] = "42",
            ["GITHUB_JOB"] = "build",
            ["GITHUB_REPOSITORY"] = "acme/widgets",
            ["GITHUB_TOKEN"] = Secret,
            ["AWS_SECRET_ACCESS_KEY"] = Secret,
            ["NPM_TOKEN"] = Secret,
            ["BUILDSENTRY_CONTROL_SOCKET"] = server.SocketPath,
        };

        var (exitCode, output, error) = await ChildProcess.RunAsync(dotnet, [.. prefix, "job", "start", "--job-id", "j-1"], environment);
        var line = await server.Line.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(exitCode == 0, $"exit {exitCode}: {output}{error}");
        Assert.Equal("job registered\n", output);
        Assert.DoesNotContain(Secret, line, StringComparison.Ordinal);
        Assert.EndsWith("}\n", line, StringComparison.Ordinal);
        using var request = JsonDocument.Parse(line);
        Assert.Equal("job-start", request.RootElement.GetProperty("command").GetString());
        Assert.Equal("j-1", request.RootElement.GetProperty("jobId").GetString());
        Assert.False(request.RootElement.TryGetProperty("rootPid", out _), "without --root-pid the daemon decides");
        var metadata = request.RootElement.GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(
            new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_RUN_ID"] = "42", ["GITHUB_JOB"] = "build", ["GITHUB_REPOSITORY"] = "acme/widgets" },
            metadata);
    }
}
