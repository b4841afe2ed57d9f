namespace BuildSentry.Cli;

/// <summary>The process exit codes every command uses; docs/profiles.md lists them.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The profiles are invalid, or the question asked of them was answered "denied", or the daemon refused or failed a request.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong: unknown option, missing or nonexistent path, unknown profile.</summary>
    public const int Usage = 2;

    /// <summary>The daemon could not be asked: no control socket, nobody listening, permission denied, or no answer in time.</summary>
    public const int Unreachable = 3;
}
