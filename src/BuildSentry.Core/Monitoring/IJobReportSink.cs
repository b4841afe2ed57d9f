namespace BuildSentry.Core.Monitoring;

/// <summary>Receives each job's final state when it ends; writes its report.</summary>
public interface IJobReportSink
{
    void JobEnded(JobState state);
}
