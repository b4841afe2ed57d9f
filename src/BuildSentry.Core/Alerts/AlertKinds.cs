namespace BuildSentry.Core.Alerts;

/// <summary>Stable signature ids: SIEM rules key on them, so they never change meaning.</summary>
public static class AlertKinds
{
    public const string EgressConnection = "egress.connection";
    public const string EgressDns = "egress.dns";
    public const string EgressTlsServerName = "egress.tls-sni";
    public const string EgressHttpHost = "egress.http-host";
    public const string ProcessDenied = "process.denied";

    /// <summary>A container the job asked a runtime for still ran when the job ended.</summary>
    public const string ContainerLeftRunning = "container.left-running";
    /// <summary>An outbound flow that no job owns and the host profile does not allow.</summary>
    public const string EgressUnattributed = "egress.unattributed";
    public const string RunnerDiagnosticsPort = "tamper.runner-diagnostics";
    public const string ControlRefused = "tamper.control-refused";
    public const string SensorLoss = "sensor.loss";
    public const string CaptureDrops = "sensor.capture-drops";
    public const string AlertsDropped = "sensor.alerts-dropped";

    /// <summary>A sensor died or stopped delivering while the kernel had events for it: the daemon is blind and exits.</summary>
    public const string SensorFailed = "sensor.failed";

    /// <summary>A job's violations beyond its alert limit, counted by kind with a bounded list of their names.</summary>
    public const string AlertsAggregated = "job.alerts-aggregated";

    /// <summary>A job reached a bound of its report or of the monitor's memory for it: what did not fit is counted.</summary>
    public const string JobLimitsReached = "job.limits-reached";

    public const string DaemonStarted = "daemon.start";
    public const string DaemonStopped = "daemon.stop";
    public const string DaemonReloaded = "daemon.reload";
    public const string DaemonReloadFailed = "daemon.reload-failed";
}
