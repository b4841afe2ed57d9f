using BuildSentry.Core.Alerts;

namespace BuildSentry.Core.Monitoring;

/// <summary>
/// Which of one job's violations are alerted one by one and which wait for a summary: a job controls its own
/// behaviour and can aim a flood of findings at the SOC. Windows are a minute of event time from the first
/// violation after the last window ended, so a replay aggregates the same way. Everything it keeps is bounded:
/// the kinds and rules a job has alerted (fixed kinds, the profile's rules), the destinations alerted in the
/// window (at most the window's alerts), the kinds and the first names aggregated.
/// </summary>
internal sealed class AlertLimiter(int perMinute, int perDestination, int summaryNames)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public int PerMinute => perMinute;

    private readonly HashSet<string> _kindsAlerted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _destinationsAlerted = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _aggregatedByKind = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private DateTimeOffset _aggregatingSince;
    private int _windowAlerts;
    private long _aggregated;
    private long _namesNotListed;
    private int _summaries;

    /// <summary>When the pending summary is due: the end of the window its violations fell in; MaxValue when none is pending.</summary>
    public DateTimeOffset SummaryDue => _aggregated > 0 ? _windowStart + Window : DateTimeOffset.MaxValue;

    /// <summary>The id the next summary alert gets: aggregated violations name it in the report.</summary>
    public string NextSummaryId(string jobId) => $"{jobId}-summary-{_summaries + 1}";

    /// <summary>
    /// Whether a new finding is alerted: a kill's always; the first of its kind and rule in the job always (a new
    /// kind of finding is news, and there are few); others while the window has room for the job and the destination.
    /// The caller sends a due summary first (<see cref="SummaryDue"/>).
    /// </summary>
    public bool Admit(string kind, string? rule, string destination, bool mustAlert, DateTimeOffset time)
    {
        if (time >= _windowStart + Window)
        {
            _windowStart = time;
            _windowAlerts = 0;
            _destinationsAlerted.Clear();
        }

        var kindKey = $"{kind}|{rule}";
        var destinationKey = $"{kindKey}|{destination}";
        _destinationsAlerted.TryGetValue(destinationKey, out var sent);
        if (!mustAlert && _kindsAlerted.Contains(kindKey) && (_windowAlerts >= perMinute || sent >= perDestination))
        {
            return false;
        }

        _kindsAlerted.Add(kindKey);
        _destinationsAlerted[destinationKey] = sent + 1;
        _windowAlerts++;
        return true;
    }

    /// <summary>Counts a finding <see cref="Admit"/> refused, for the next summary.</summary>
    public void Aggregate(string kind, string name)
    {
        if (_aggregated++ == 0)
        {
            _aggregatingSince = _windowStart;
        }

        _aggregatedByKind[kind] = _aggregatedByKind.GetValueOrDefault(kind) + 1;
        if (_names.Contains(name, StringComparer.Ordinal))
        {
            return;
        }

        if (_names.Count < summaryNames)
        {
            _names.Add(name);
        }
        else
        {
            _namesNotListed++;
        }
    }

    /// <summary>What was aggregated since the last summary, and forgets it; null when nothing was.</summary>
    public AlertAggregate? TakeSummary()
    {
        if (_aggregated == 0)
        {
            return null;
        }

        var summary = new AlertAggregate(_aggregated, _aggregatingSince,
            _aggregatedByKind.Select(k => new AlertKindCount(k.Key, k.Value)).ToList(), _names.ToList(), _namesNotListed);
        _summaries++;
        _aggregated = 0;
        _namesNotListed = 0;
        _aggregatedByKind.Clear();
        _names.Clear();
        return summary;
    }
}
