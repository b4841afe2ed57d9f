namespace BuildSentry.Control;

/// <summary>
/// One request on the control socket, sent as a single JSON line. <see cref="Command"/> is one of
/// <c>job-start</c>, <c>job-end</c>, <c>job-report</c>, <c>status</c>, <c>reload</c>. For job commands, <see cref="RootPid"/>
/// names the job's root process (default: chosen by the daemon from the caller's ancestry) and
/// <see cref="Metadata"/> carries the CI metadata keys (only keys of <c>JobMarkers.Keys</c> are kept).
/// <see cref="Ci"/> names the CI system when the hook knows it better than the markers do. <see cref="SpareRoot"/>
/// (<c>spareRoot</c>, job-start only): the root is the runner's own process, which a kill of the job leaves running.
/// </summary>
public sealed record ControlRequest(string Command)
{
    public int? RootPid { get; init; }

    public bool? SpareRoot { get; init; }

    public string? JobId { get; init; }

    public string? Ci { get; init; }

    public Dictionary<string, string>? Metadata { get; init; }
}
