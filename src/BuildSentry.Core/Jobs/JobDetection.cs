namespace BuildSentry.Core.Jobs;

/// <summary>How a job's root was found.</summary>
public enum JobDetection
{
    /// <summary>Registered through the Core API (runner hooks via the control socket).</summary>
    Registered,

    /// <summary>CI marker variables in the environment of an exec'ing process.</summary>
    EnvironmentMarkers,

    /// <summary>A .NET runner worker whose tracking id was read over diagnostics IPC.</summary>
    RunnerWorker,
}
