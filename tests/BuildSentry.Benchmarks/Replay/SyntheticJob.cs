using BuildSentry.Core.Events;

namespace BuildSentry.Benchmarks.Replay;

/// <summary>One job of a <see cref="SyntheticTrace"/>: its root, the shell that runs its tools, the tools alive.</summary>
internal sealed class SyntheticJob(ProcessKey root, ProcessKey shell, IReadOnlyDictionary<string, string> markers, int children, int evilAt)
{
    public ProcessKey Root { get; } = root;

    public ProcessKey Shell { get; } = shell;

    public IReadOnlyDictionary<string, string> Markers { get; } = markers;

    public List<ProcessKey> Live { get; } = [];

    public int Remaining { get; set; } = children;

    /// <summary>When <see cref="Remaining"/> reaches this, the spawned tool calls evil.test.</summary>
    public int EvilAt { get; } = evilAt;
}
