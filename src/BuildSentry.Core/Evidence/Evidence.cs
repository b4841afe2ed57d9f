namespace BuildSentry.Core.Evidence;

/// <summary>How often something was seen across job reports: the jobs, the attempts and the first job (reports are
/// fed in <see cref="ReportOrder"/>, so the first is the earliest).</summary>
public sealed class Evidence
{
    private readonly HashSet<string> _jobs = new(StringComparer.Ordinal);

    public int Jobs => _jobs.Count;

    public long Attempts { get; private set; }

    public string FirstJob { get; private set; } = "";

    public SortedSet<int> Ports { get; } = [];

    public void Add(string jobId, long attempts, int? port = null)
    {
        if (_jobs.Add(jobId) && _jobs.Count == 1)
        {
            FirstJob = jobId;
        }

        Attempts += attempts;
        if (port is { } p)
        {
            Ports.Add(p);
        }
    }

    public void Add(Evidence other)
    {
        foreach (var job in other._jobs)
        {
            _jobs.Add(job);
        }

        FirstJob = FirstJob.Length == 0 ? other.FirstJob : FirstJob;
        Attempts += other.Attempts;
        Ports.UnionWith(other.Ports);
    }

    public string JobCount => Jobs == 1 ? "1 job" : $"{Jobs} jobs";

    /// <param name="attempt">What one attempt is called, with its plural: a DNS name counts queries.</param>
    public string Describe(string attempt = "attempt", string attempts = "attempts") =>
        $"{JobCount}, {Attempts} {(Attempts == 1 ? attempt : attempts)}, first {FirstJob}";

    public override string ToString() => Describe();
}
