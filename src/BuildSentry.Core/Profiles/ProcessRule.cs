namespace BuildSentry.Core.Profiles;

/// <summary>
/// An executable that must not run in a job: a bare name (<c>nc</c>) matches the executable's file
/// name anywhere; a name with a slash (<c>/usr/bin/nc</c>) matches that exact path.
/// </summary>
public sealed record ProcessRule(string Executable, RuleReference Reference)
{
    // The kernel truncates a task's comm to 15 bytes.
    private const int CommLength = 15;

    public bool IsPath => Executable.Contains('/', StringComparison.Ordinal);

    // readlink(/proc/PID/exe) appends this when the file was deleted after exec, a cheap way to
    // disguise a copied tool.
    private const string DeletedSuffix = " (deleted)";

    public bool Matches(string? exePath, string? comm)
    {
        if (!string.IsNullOrEmpty(exePath))
        {
            if (exePath.EndsWith(DeletedSuffix, StringComparison.Ordinal))
            {
                exePath = exePath[..^DeletedSuffix.Length];
            }

            return IsPath
                ? string.Equals(exePath, Executable, StringComparison.Ordinal)
                : string.Equals(Path.GetFileName(exePath), Executable, StringComparison.Ordinal);
        }

        // Without an executable path (the process exited before /proc was read) comm is all we have.
        if (string.IsNullOrEmpty(comm))
        {
            return false;
        }

        var name = IsPath ? Path.GetFileName(Executable) : Executable;
        return string.Equals(comm, name.Length > CommLength ? name[..CommLength] : name, StringComparison.Ordinal);
    }
}
