using BuildSentry.Core.Profiles;

namespace BuildSentry.Configuration;

/// <summary>
/// The daemon's configuration (YAML, default /etc/buildsentry/buildsentry.yaml). Every key has a
/// default, so an empty file, or none at all, gives a daemon that works: audit mode, the shipped
/// profiles, alerts to the journal or console only.
/// </summary>
public sealed class DaemonConfiguration
{
    public const string DefaultPath = "/etc/buildsentry/buildsentry.yaml";

    /// <summary>Where the profiles are; null means the first of /etc/buildsentry/profiles and the shipped set.</summary>
    public string? ProfilesDir { get; set; }

    public ProfileMode DefaultMode { get; set; } = ProfileMode.Audit;

    /// <summary>The profile for jobs no profile's <c>match</c> selects; null means the profile named <c>default</c>.</summary>
    public string? DefaultProfile { get; set; }

    /// <summary>
    /// Where process events come from: <c>auto</c> (the kernel's eBPF programs, or the proc connector where BPF is
    /// unavailable, said at start), <c>ebpf</c> (refuse to start without it) or <c>proc-connector</c>.
    /// </summary>
    public string ProcessSensor { get; set => field = OneOf(value, "process_sensor", ProcessSensorChoices); } = "auto";

    public static readonly string[] ProcessSensorChoices = ["auto", "ebpf", "proc-connector"];

    public CaptureSection Capture { get; set; } = new();

    public AlertsSection Alerts { get; set; } = new();

    public string ReportsDir { get; set; } = "/var/lib/buildsentry/reports";

    public ControlSection Control { get; set; } = new();

    public LimitsSection Limits { get; set; } = new();

    public PreventSection Prevent { get; set; } = new();

    public DockerSection Docker { get; set; } = new();
    public HostSection Host { get; set; } = new();
    public MetricsSection Metrics { get; set; } = new();

    /// <summary>When set, every sensor event is also written there as NDJSON, for <c>buildsentry replay</c>.</summary>
    public string? TraceFile { get; set; }

    /// <summary>Give each new job its own cgroup (where cgroup v2 is mounted), so a kill is race-free.</summary>
    public bool JobCgroups { get; set; } = true;

    /// <summary>The host name put in alerts.</summary>
    public string HostName { get; set; } = Environment.MachineName;

    // Thrown from the setter, the deserializer reports it at the key's line and column.
    private static string OneOf(string value, string key, string[] choices) =>
        choices.Contains(value) ? value : throw new InvalidDataException($"{key} must be one of {string.Join(", ", choices)}, not '{value}'");
}

public sealed class CaptureSection
{
    public bool Enabled { get; set; } = true;

    public List<string> Interfaces { get; set; } = ["any"];

    public List<int> DnsPorts { get; set; } = [53];

    /// <summary>
    /// An iptables/ip6tables NFLOG rule per job cgroup, so the kernel names a flow's job even when the
    /// process closes its socket before user space can look it up (sub-millisecond links).
    /// </summary>
    public bool KernelAttribution { get; set; } = true;
}

public sealed class AlertsSection
{
    public List<AlertTargetSection> Targets { get; set; } = [];
}

public sealed class AlertTargetSection
{
    /// <summary>udp, tcp, relp (rsyslog imrelp: acknowledged, nothing lost across receiver restarts) or unix.</summary>
    public string Transport { get; set; } = "udp";

    /// <summary>Host name or address (udp, tcp, relp), or socket path (unix, e.g. /dev/log).</summary>
    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 514;

    /// <summary>rfc5424, cef or json.</summary>
    public string Format { get; set; } = "rfc5424";

    public string SdId { get; set; } = Core.Alerts.Rfc5424Formatter.DefaultSdId;

    public int QueueCapacity { get; set; } = 10_000;
}

public sealed class ControlSection
{
    public string Socket { get; set; } = "/run/buildsentry/control.sock";

    /// <summary>Besides root, members of this group may use the control socket.</summary>
    public string? Group { get; set; }
}
