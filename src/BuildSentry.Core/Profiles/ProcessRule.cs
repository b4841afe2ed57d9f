namespace BuildSentry.Core.Profiles;

/// <summary>
/// An executable that must not run in a job: a bare name (<c>nc</c>) matches the executable's file
/// name anywhere; a name with a slash (<c>/usr/bin/nc</c>) matches that exact path. A program is known by up to two
/// paths, the one the exec named and the file it resolved to, and a rule matches either: <c>nc</c> stops
/// <c>/usr/bin/nc</c> whatever alternatives link it leads to, and <c>nc.openbsd</c> stops it too.
/// </summary>
public sealed record ProcessRule(string Executable, RuleReference Reference)
{
    // The kernel truncates a task's comm to 15 bytes.
    private const int CommLength = 15;

    public bool IsPath => Executable.Contains('/', StringComparison.Ordinal);

    // readlink(/proc/PID/exe) appends this when the file was deleted after exec, a cheap way to
    // disguise a copied tool.
    private const string DeletedSuffix = " (deleted)";

    /// <param name="exePath">The program's path as the sensor reports it.</param>
    /// <param name="comm">The kernel's copy of the executed file's name, cut to 15 bytes.</param>
    /// <param name="otherPath">The same program by its other path (<see cref="Events.ProcessDetails.OtherPath"/>).</param>
    public bool Matches(string? exePath, string? comm, string? otherPath = null)
    {
        if (MatchesPath(exePath) || MatchesPath(otherPath))
        {
            return true;
        }

        if (string.IsNullOrEmpty(comm))
        {
            return false;
        }

        // comm is the base name of the file the exec named, so it matches a bare name as the exec named it. Cut, it
        // is ambiguous: only without any path (the process exited before it could be read) is a cut name compared,
        // and a path rule is then compared by its file name.
        var name = IsPath ? Path.GetFileName(Executable) : Executable;
        var known = !string.IsNullOrEmpty(exePath) || !string.IsNullOrEmpty(otherPath);
        if (known)
        {
            return !IsPath && name.Length < CommLength && string.Equals(comm, name, StringComparison.Ordinal);
        }

        return string.Equals(comm, name.Length > CommLength ? name[..CommLength] : name, StringComparison.Ordinal);
    }

    private bool MatchesPath(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        if (path.EndsWith(DeletedSuffix, StringComparison.Ordinal))
        {
            path = path[..^DeletedSuffix.Length];
        }

        return IsPath
            ? string.Equals(path, Executable, StringComparison.Ordinal)
            : string.Equals(Path.GetFileName(path), Executable, StringComparison.Ordinal);
    }
}
