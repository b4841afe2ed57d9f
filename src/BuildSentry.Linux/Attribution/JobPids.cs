using System.Collections;

namespace BuildSentry.Linux.Attribution;

/// <summary>
/// The pids of processes in active jobs, read by the capture thread, which searches them first when it
/// looks for a socket's owner. Either published whole, or built on demand by the owner of the job state
/// after <see cref="Invalidate"/>: the build then runs only when a lookup needs it, not at every event.
/// Enumerating takes the current set; the set itself is replaced whole, never changed.
/// </summary>
public sealed class JobPids : IReadOnlyCollection<int>
{
    private readonly Func<int[]>? _build;
    private volatile int[]? _pids = [];

    public JobPids()
    {
    }

    /// <param name="build">Builds the set and calls <see cref="Publish"/> with it, under the same lock as
    /// <see cref="Invalidate"/>, so that an invalidation is never overwritten by an older set.</param>
    public JobPids(Func<int[]> build)
    {
        _build = build;
        _pids = null;
    }

    public IReadOnlyCollection<int> Current => _pids ?? _build?.Invoke() ?? [];

    public int Count => Current.Count;

    public void Publish(int[] pids) => _pids = pids;

    /// <summary>Marks the set out of date; the next reader has it rebuilt (only with a builder).</summary>
    public void Invalidate()
    {
        if (_build is not null)
        {
            _pids = null;
        }
    }

    public IEnumerator<int> GetEnumerator() => Current.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
