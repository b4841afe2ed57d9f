using System.Text.Json.Serialization;

namespace BuildSentry.Core.Events;

/// <summary>
/// What a process is, as read from /proc at exec (or at adoption). Strings are untrusted:
/// they come from the process itself and are escaped by whoever prints them.
/// <see cref="JobMarkers"/> holds only the environment keys named in
/// <see cref="Jobs.JobMarkers.Keys"/>; no other environment value is ever read into memory.
/// </summary>
public sealed record ProcessDetails(
    string Exe,
    IReadOnlyList<string> Argv,
    string Cwd,
    int Uid,
    int Gid,
    string Comm,
    IReadOnlyDictionary<string, string> JobMarkers)
{
    public static readonly ProcessDetails Unknown = new(
        "", [], "", -1, -1, "", new Dictionary<string, string>());

    /// <summary>The program could not be read at exec: the process had exited (or its pid was reused) first.
    /// At most its process name (<see cref="Comm"/>, a zombie's) is known.</summary>
    [JsonIgnore]
    public bool ProgramUnread => Exe.Length == 0;
}
