using System.Diagnostics;

namespace BuildSentry.Testing.Runners;

/// <summary>Builds Assets/FakeRunnerWorker (copied next to the test assembly) once per test run into a
/// temporary directory, with the same SDK that runs the tests.</summary>
public sealed class FakeRunnerWorkerBuild : IDisposable
{
    private readonly DirectoryInfo _output = Directory.CreateTempSubdirectory("bs-fake-worker");

    public FakeRunnerWorkerBuild()
    {
        var project = Path.Combine(AppContext.BaseDirectory, "Assets", "FakeRunnerWorker", "FakeRunnerWorker.csproj");
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "build", project, "-c", "Release", "-o", _output.FullName, "-nologo", "-v", "q" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var build = Process.Start(info)!;
        var log = build.StandardOutput.ReadToEndAsync();
        var errors = build.StandardError.ReadToEndAsync();
        if (!build.WaitForExit(TimeSpan.FromMinutes(3)) || build.ExitCode != 0)
        {
            throw new InvalidOperationException($"Building the fake Runner.Worker failed:\n{log.Result}\n{errors.Result}");
        }

        AppHost = Path.Combine(_output.FullName, "Runner.Worker");
    }

    public string AppHost { get; }

    public void Dispose() => _output.Delete(recursive: true);
}
