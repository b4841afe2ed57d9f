using System.Diagnostics;
using BuildSentry.Core.Events;
using BuildSentry.Linux.Processes;

namespace BuildSentry.Linux.Tests.Kernel;

/// <summary>
/// A python3 program that runs <c>before</c>, prints "ready" and whatever <c>before</c> put in READY, and runs
/// <c>after</c> once the test says go: the test puts it in a job between the two. Its arguments are sys.argv[1:];
/// socket, os, sys and time are imported, and GO is the file whose appearance says go.
/// </summary>
internal sealed class MemberProcess : IDisposable
{
    public const string Python = "/usr/bin/python3";
    private static readonly ProcFs Proc = new();
    private readonly string _go = Path.Combine(Path.GetTempPath(), $"bs-go-{Guid.NewGuid():N}");
    private readonly Process _process;

    public MemberProcess(string before, string after, params object[] args)
    {
        var code = $"""
            import os, socket, sys, time
            GO = os.environ["GO"]
            READY = ""
            {before}
            print("ready", READY, flush=True)
            while not os.path.exists(GO):
                time.sleep(0.005)
            {after}
            """;
        _process = Support.Processes.Start(Python, ["-c", code, .. args.Select(a => a.ToString()!)],
            new Dictionary<string, string> { ["GO"] = _go });
        var ready = _process.StandardOutput.ReadLine();
        if (ready?.StartsWith("ready ", StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException($"the python member did not start: {ready ?? "no output"}");
        }

        Ready = ready["ready ".Length..];

        Key = Proc.TryGetKey(_process.Id) ?? throw new InvalidOperationException("the python member exited early");
    }

    public int Id => _process.Id;

    public ProcessKey Key { get; }

    /// <summary>What <c>before</c> put in READY.</summary>
    public string Ready { get; }

    public TextReader Output => _process.StandardOutput;

    /// <summary>Lets it run <c>after</c>.</summary>
    public void Go() => File.WriteAllText(_go, "");

    /// <summary>Lets it run <c>after</c> and waits for it to exit with 0.</summary>
    public void GoAndWait()
    {
        Go();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)) || _process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the python member failed (exit {(_process.HasExited ? _process.ExitCode : "none")})");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
        File.Delete(_go);
    }
}
