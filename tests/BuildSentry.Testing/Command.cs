using System.Diagnostics;

namespace BuildSentry.Testing;

/// <summary>Runs a program to completion with its output captured, killing it if it overstays.</summary>
public static class Command
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task<CommandResult> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var process = Start(fileName, arguments);
        return await WaitAsync(process, timeout, cancellationToken);
    }

    /// <summary>Starts a program with stdout and stderr redirected and stdin closed.</summary>
    public static Process Start(
        string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        process.StandardInput.Close();
        return process;
    }

    /// <summary>Waits for a process started by <see cref="Start"/> and collects its output.</summary>
    public static async Task<CommandResult> WaitAsync(
        Process process, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException(
                $"{process.StartInfo.FileName} {string.Join(' ', process.StartInfo.ArgumentList)} did not finish in time.");
        }

        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }
}
