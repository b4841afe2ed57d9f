namespace BuildSentry.Core.Profiles;

/// <summary>What the daemon does when a job leaves its profile.</summary>
public enum ProfileMode
{
    /// <summary>Alert and report, let the job run.</summary>
    Audit,

    /// <summary>Alert, report and kill the job.</summary>
    Kill,

    /// <summary>Refuse, in the kernel, every connect and send to a destination the profile does not allow, and every
    /// DNS query for a name it does not allow (the job goes on and sees the error); kill the job for what cannot be
    /// refused at the syscall (a TLS server name or HTTP Host off the profile on an allowed address). Needs the eBPF
    /// sensor; without it the job is handled as in kill mode.</summary>
    Prevent,
}
