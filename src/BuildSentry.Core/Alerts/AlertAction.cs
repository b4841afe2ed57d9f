namespace BuildSentry.Core.Alerts;

/// <summary>What BuildSentry did about the finding.</summary>
public enum AlertAction
{
    /// <summary>Reported only (audit mode, or a health event).</summary>
    Alerted,

    /// <summary>The job was killed.</summary>
    Killed,

    /// <summary>The request was refused (control socket).</summary>
    Refused,

    /// <summary>Prevent mode: the kernel refused the job's connect or send (EPERM) before anything left; the job
    /// goes on.</summary>
    Prevented,
}
