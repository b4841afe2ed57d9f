using System.Net;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Reports;

namespace BuildSentry.Core.Evidence;

/// <summary>
/// What a set of job reports shows the jobs reached: host names by protocol (with their ports), addresses reached with no
/// name, names only resolved, and the executables run. A destination counts under the names it was reached by: its TLS
/// server names and HTTP Hosts when it has any (they say which name the client asked for), else every DNS name of its
/// address. Loopback and port 53 are left out, as the monitor leaves them out: a resolver is judged by the names asked.
/// </summary>
public sealed class ObservedEgress
{
    public SortedDictionary<(string Name, TransportProtocol Protocol), Evidence> Hosts { get; } = new(HostKeyComparer.Instance);

    public SortedDictionary<(string Address, TransportProtocol Protocol), Evidence> Addresses { get; } = new(HostKeyComparer.Instance);

    /// <summary>Queried names that no destination was reached by.</summary>
    public SortedDictionary<string, Evidence> DnsNames { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, Evidence> Executables { get; } = new(StringComparer.Ordinal);

    /// <summary>Names seen that are not valid DNS names: no rule can allow them.</summary>
    public SortedDictionary<string, Evidence> InvalidNames { get; } = new(StringComparer.Ordinal);

    public static ObservedEgress From(IEnumerable<JobReport> reports)
    {
        var observed = new ObservedEgress();
        foreach (var report in ReportOrder.Sort(reports))
        {
            observed.Add(report);
        }

        return observed;
    }

    private void Add(JobReport report)
    {
        var reachedBy = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in report.Destinations)
        {
            if (!RecordedDestination.TryRead(d, out var address, out var protocol))
            {
                continue;
            }

            var serverNames = d.ServerNames.Where(n => !IPAddress.TryParse(n, out _)).ToList();
            var names = serverNames.Count > 0 ? serverNames : d.Names;
            if (names.Count == 0)
            {
                Get(Addresses, (Canonical(address), protocol)).Add(report.JobId, d.Attempts, d.Port);
            }

            foreach (var name in names)
            {
                if (Normalize(name, report.JobId) is { } host)
                {
                    reachedBy.Add(host);
                    Get(Hosts, (host, protocol)).Add(report.JobId, d.Attempts, d.Port);
                }
            }
        }

        foreach (var query in report.DnsNames)
        {
            if (Normalize(query.Name, report.JobId) is { } name && !reachedBy.Contains(name))
            {
                Get(DnsNames, name).Add(report.JobId, query.Queries);
            }
        }

        foreach (var process in report.Processes.Where(p => p.Exe.Length > 0))
        {
            Get(Executables, process.Exe).Add(report.JobId, 1);
        }
    }

    private string? Normalize(string name, string jobId)
    {
        if (HostName.TryNormalize(name, out var normalized))
        {
            return normalized;
        }

        Get(InvalidNames, name).Add(jobId, 1);
        return null;
    }

    private static string Canonical(IPAddress address) => (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    private static Evidence Get<TKey>(SortedDictionary<TKey, Evidence> map, TKey key) where TKey : notnull
    {
        if (!map.TryGetValue(key, out var evidence))
        {
            map[key] = evidence = new Evidence();
        }

        return evidence;
    }

    private sealed class HostKeyComparer : IComparer<(string, TransportProtocol)>
    {
        public static readonly HostKeyComparer Instance = new();

        public int Compare((string, TransportProtocol) x, (string, TransportProtocol) y)
        {
            var byName = string.CompareOrdinal(x.Item1, y.Item1);
            return byName != 0 ? byName : x.Item2.CompareTo(y.Item2);
        }
    }
}
