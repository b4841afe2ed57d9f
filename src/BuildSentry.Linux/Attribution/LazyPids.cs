using System.Collections;

namespace BuildSentry.Linux.Attribution;

/// <summary>Pids read only when first asked for: a resolver that finds the owner without them (the kernel's
/// socket-owner map) spares the read of a job's cgroup.</summary>
internal sealed class LazyPids(Func<IReadOnlyCollection<int>> read) : IReadOnlyCollection<int>
{
    private IReadOnlyCollection<int>? _pids;

    public int Count => Pids.Count;

    private IReadOnlyCollection<int> Pids => _pids ??= read();

    public IEnumerator<int> GetEnumerator() => Pids.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
