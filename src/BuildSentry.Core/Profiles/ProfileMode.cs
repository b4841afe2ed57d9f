namespace BuildSentry.Core.Profiles;

/// <summary>What the daemon does when a job leaves its profile.</summary>
public enum ProfileMode
{
    /// <summary>Alert and report, let the job run.</summary>
    Audit,

    /// <summary>Alert, report and kill the job.</summary>
    Kill,
}
