using System.Diagnostics;

namespace BuildSentry.Linux.Tests.Support;

internal static class Processes
{
    public static Process Start(string file, IEnumerable<string> args, IDictionary<string, string>? env = null,
        string? cwd = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        if (cwd is not null)
        {
            info.WorkingDirectory = cwd;
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start.");
    }

    public static void Run(string script, TimeSpan timeout)
    {
        using var process = Start("/bin/sh", ["-c", script]);
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sh -c '{script}' ran longer than {timeout}.");
        }
    }
}
