using BuildSentry.Core.Network;
using BuildSentry.Core.Processes;

namespace BuildSentry.Core.Monitoring;

/// <summary>
/// In audit mode the kernel's report of a connect can reach the monitor before the capture thread has recorded the
/// DNS answer that names its destination: a container's answer is relayed by Docker's resolver within microseconds of
/// the capture seeing it, while the capture thread may still be attributing the query before it. A denied connect
/// with no name therefore waits for the capture's sighting of the same connection, which comes after the answer, and
/// is judged then with the names known; or, where the capture never sees it, after <see cref="Wait"/>. Only audit mode
/// waits: it alerts and kills nothing, and a kill must not wait for a name. Per job, bounded (beyond the bound a
/// sighting is judged at once, as before).
/// </summary>
internal sealed class UnnamedSightings
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(1);
    private const int MaxPending = 256;

    private readonly Dictionary<string, UnnamedSighting> _pending = new(StringComparer.Ordinal);

    public int Count => _pending.Count;

    public bool TryHold(string destination, UnnamedSighting sighting) =>
        _pending.Count < MaxPending && _pending.TryAdd(destination, sighting);

    public bool TryTake(string destination, out UnnamedSighting sighting) => _pending.Remove(destination, out sighting);

    /// <summary>Removes and returns the sightings that have waited <see cref="Wait"/> at <paramref name="now"/> (all
    /// of them with <see cref="DateTimeOffset.MaxValue"/>).</summary>
    public List<(string Destination, UnnamedSighting Sighting)> TakeDue(DateTimeOffset now)
    {
        var due = new List<(string, UnnamedSighting)>();
        foreach (var (destination, sighting) in _pending)
        {
            if (now == DateTimeOffset.MaxValue || now - sighting.Time >= Wait)
            {
                due.Add((destination, sighting));
            }
        }

        foreach (var (destination, _) in due)
        {
            _pending.Remove(destination);
        }

        return due;
    }
}

internal readonly record struct UnnamedSighting(DateTimeOffset Time, FlowKey Flow, FlowAttribution Attribution, ProcessRecord? Process);
