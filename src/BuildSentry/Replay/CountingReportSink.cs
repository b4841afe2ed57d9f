using BuildSentry.Core.Monitoring;

namespace BuildSentry.Replay;

/// <summary>Replay writes no reports; it counts the jobs that ended.</summary>
internal sealed class CountingReportSink : IJobReportSink
{
    public long Ended { get; private set; }

    public void JobEnded(JobState state) => Ended++;
}
