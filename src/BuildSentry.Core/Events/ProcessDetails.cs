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

    /// <summary>
    /// The same program by its other path, where the sensor knows one that differs from <see cref="Exe"/>: with the
    /// kernel sensor, whose <see cref="Exe"/> is the path the exec named, the file it resolved to (/proc/PID/exe); with
    /// the proc connector, whose <see cref="Exe"/> is that resolved file, the path the exec named, when the process's
    /// argv[0] proves it (see ProcFs). Null when unknown or the same. Denied processes match either.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? OtherPath { get; init; }

    /// <summary>The program could not be read at exec: the process had exited (or its pid was reused) first.
    /// At most its process name (<see cref="Comm"/>, a zombie's) is known.</summary>
    [JsonIgnore]
    public bool ProgramUnread => Exe.Length == 0;
}
