using BuildSentry.Core.Events;

namespace BuildSentry.Core.Processes;

/// <summary>
/// Live processes by pid, plus exited ones for a grace period, by identity. Only the job tracker
/// mutates it; everything else reads. Eviction runs on event time, never the wall clock, so a
/// replayed trace leaves the same table.
/// </summary>
public sealed class ProcessTable(ProcessTableOptions options)
{
    private readonly Dictionary<int, ProcessRecord> _live = [];
    private readonly Dictionary<ProcessKey, ProcessRecord> _byKey = [];
    private readonly Queue<ProcessRecord> _exited = new();

    public int LiveCount => _live.Count;

    public int ExitedCount => _exited.Count;

    public IEnumerable<ProcessRecord> Live => _live.Values;

    public bool TryGetLive(int pid, out ProcessRecord record) => _live.TryGetValue(pid, out record!);

    /// <summary>Finds a live or recently exited process by identity.</summary>
    public bool TryGet(ProcessKey key, out ProcessRecord record) => _byKey.TryGetValue(key, out record!);

    /// <summary>The parent chain, nearest first, as far as the table still knows it.</summary>
    public IReadOnlyList<ProcessRecord> Ancestors(ProcessRecord record)
    {
        var chain = new List<ProcessRecord>();
        var current = record;
        while (chain.Count < options.MaxAncestry && current.Parent.Pid > 0
               && _byKey.TryGetValue(current.Parent, out var parent) && parent != current)
        {
            chain.Add(parent);
            current = parent;
        }

        return chain;
    }

    internal void Add(ProcessRecord record)
    {
        _live[record.Key.Pid] = record;
        _byKey[record.Key] = record;
    }

    internal void MarkExited(ProcessRecord record, DateTimeOffset time, int exitCode)
    {
        record.ExitedAt = time;
        record.ExitCode = exitCode;
        if (_live.TryGetValue(record.Key.Pid, out var live) && live == record)
        {
            _live.Remove(record.Key.Pid);
        }

        _exited.Enqueue(record);
    }

    internal void Evict(DateTimeOffset now)
    {
        var horizon = now - options.ExitedGracePeriod;
        while (_exited.TryPeek(out var oldest) && (oldest.ExitedAt <= horizon || _exited.Count > options.MaxExited))
        {
            _exited.Dequeue();
            if (_byKey.TryGetValue(oldest.Key, out var current) && current == oldest)
            {
                _byKey.Remove(oldest.Key);
            }
        }
    }
}
