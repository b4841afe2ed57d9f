using System.Diagnostics;
using BuildSentry.Testing;
using BuildSentry.Testing.Lab;

namespace BuildSentry.EndToEnd;

/// <summary>A GitHub-marked build job in the lab: a bash script with the job's markers and a fake cloud secret.</summary>
internal sealed class BuildJob : IDisposable
{
    public const string Secret = "AKIAE2ESECRETVALUE0000";

    private readonly Process _process;

    private BuildJob(Process process, string marker, string runId)
    {
        _process = process;
        Marker = marker;
        RunId = runId;
    }

    public string Marker { get; }

    public string RunId { get; }

    public string JobId => $"github-{RunId}-1-build";

    public int Pid => _process.Id;

    public static BuildJob Start(NetworkLab lab, string script)
    {
        var runId = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var marker = $"bs-e2e-{runId}";
        var environment = new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true", ["GITHUB_RUN_ID"] = runId, ["GITHUB_RUN_ATTEMPT"] = "1", ["GITHUB_JOB"] = "build",
            ["GITHUB_REPOSITORY"] = "acme/app", ["GITHUB_WORKFLOW"] = "ci", ["RUNNER_NAME"] = "lab-runner",
            ["AWS_SECRET_ACCESS_KEY"] = Secret, ["BS_E2E_MARKER"] = marker,
        };
        return new BuildJob(lab.StartJob(["bash", "-c", script, marker], environment), marker, runId);
    }

    public async Task<CommandResult> WaitAsync(TimeSpan? timeout = null) => await Command.WaitAsync(_process, timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>Processes still alive whose environment carries the job's marker: the job's script and everything it started.</summary>
    public IReadOnlyList<int> Survivors()
    {
        var survivors = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && pid != Environment.ProcessId)
            {
                try
                {
                    var environ = File.ReadAllText(Path.Combine(dir, "environ"));
                    var state = File.ReadAllText(Path.Combine(dir, "stat"));
                    if (environ.Contains("BS_E2E_MARKER=" + Marker, StringComparison.Ordinal) && !state[(state.LastIndexOf(')') + 2)..].StartsWith('Z'))
                    {
                        survivors.Add(pid);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The process exited while we looked.
                }
            }
        }

        return survivors;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
