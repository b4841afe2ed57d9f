using BuildSentry.Core.Events;

namespace BuildSentry.Core.Tests.Jobs;

/// <summary>Writes sensor events the way the Linux sensor would, with a monotonic clock.</summary>
internal sealed class TraceBuilder
{
    private DateTimeOffset _now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public List<SensorEvent> Events { get; } = [];

    public static ProcessKey Key(int pid, ulong start = 100) => new(pid, start);

    public static ProcessDetails Details(string exe, IReadOnlyDictionary<string, string>? markers = null, params string[] argv) =>
        new(exe, argv.Length > 0 ? argv : [exe], "/work", 1000, 1000, Path.GetFileName(exe),
            markers ?? new Dictionary<string, string>());

    public static Dictionary<string, string> GitHub(string runId = "4711", string job = "build") => new()
    {
        ["GITHUB_ACTIONS"] = "true", ["GITHUB_RUN_ID"] = runId, ["GITHUB_JOB"] = job,
        ["GITHUB_REPOSITORY"] = "acme/app", ["GITHUB_WORKFLOW"] = "ci", ["GITHUB_RUN_ATTEMPT"] = "1",
        ["RUNNER_NAME"] = "runner-1", ["RUNNER_TRACKING_ID"] = "github_" + runId,
    };

    public TraceBuilder Tick(double ms = 1)
    {
        _now = _now.AddMilliseconds(ms);
        return this;
    }

    public DateTimeOffset Now => _now;

    public TraceBuilder Fork(ProcessKey parent, ProcessKey child) => Add(new ProcessForked(_now, child, parent));

    public TraceBuilder Exec(ProcessKey process, ProcessDetails details) => Add(new ProcessExecuted(_now, process, details));

    public TraceBuilder Exit(ProcessKey process, int code = 0) => Add(new ProcessExited(_now, process, code));

    public TraceBuilder Spawn(ProcessKey parent, ProcessKey child, string exe, IReadOnlyDictionary<string, string>? markers = null) =>
        Fork(parent, child).Exec(child, Details(exe, markers));

    public TraceBuilder Add(SensorEvent e)
    {
        Events.Add(e);
        Tick();
        return this;
    }
}
