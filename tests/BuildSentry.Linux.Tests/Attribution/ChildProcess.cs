using System.Diagnostics;

namespace BuildSentry.Linux.Tests.Attribution;

/// <summary>A child process started from a shell command; killed on dispose.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;

    public ChildProcess(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, UseShellExecute = false };
        _process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {fileName}");
    }

    public static ChildProcess Bash(string command) => new("bash", "-c", command);

    public int Pid => _process.Id;

    public Process Process => _process;

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }
}
