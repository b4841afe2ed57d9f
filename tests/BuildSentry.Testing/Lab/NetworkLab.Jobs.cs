using System.Diagnostics;

namespace BuildSentry.Testing.Lab;

// Jobs: processes in the root network namespace (so the agent's capture sees them) whose
// /etc/resolv.conf, in a private mount namespace, points at the lab resolver.
public sealed partial class NetworkLab
{
    /// <summary>
    /// Starts a command as a lab job, stdout and stderr redirected, stdin closed. The returned
    /// process's id is the command's own: lab.sh and unshare exec into it rather than fork.
    /// </summary>
    public Process StartJob(IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(command.Count, nameof(command));
        return Command.Start(ScriptPath, ["exec", .. command], environment);
    }

    /// <summary>Runs a command as a lab job to completion and returns what it printed.</summary>
    public async Task<CommandResult> RunInLabAsync(
        IReadOnlyList<string> command, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var process = StartJob(command);
        return await Command.WaitAsync(process, timeout, cancellationToken);
    }

    public Task<CommandResult> RunInLabAsync(params string[] command) => RunInLabAsync((IReadOnlyList<string>)command);
}
