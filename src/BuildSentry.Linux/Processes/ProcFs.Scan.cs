using BuildSentry.Core.Events;

namespace BuildSentry.Linux.Processes;

public sealed partial class ProcFs
{
    /// <summary>Every process (not thread) alive now, with its parent's identity and its details.</summary>
    public IReadOnlyList<ProcessSnapshot> Scan()
    {
        var stats = new Dictionary<int, ProcStat>();
        foreach (var pid in EnumeratePids())
        {
            if (TryReadStat(pid, out var stat))
            {
                stats[pid] = stat;
            }
        }

        var snapshots = new List<ProcessSnapshot>(stats.Count);
        foreach (var (pid, stat) in stats)
        {
            // A parent that exited before its stat was read keeps start time 0: unknown, not a guess.
            var parentStart = stats.TryGetValue(stat.Ppid, out var parent) ? parent.StartTime : 0;
            snapshots.Add(new ProcessSnapshot(
                new ProcessKey(pid, stat.StartTime), new ProcessKey(stat.Ppid, parentStart), ReadDetails(pid, stat)));
        }

        return snapshots;
    }

    internal IEnumerable<int> EnumeratePids()
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateDirectories(Root);
        }
        catch (IOException)
        {
            yield break;
        }

        foreach (var entry in entries)
        {
            if (int.TryParse(Path.GetFileName(entry.AsSpan()), out var pid) && pid > 0)
            {
                yield return pid;
            }
        }
    }
}
