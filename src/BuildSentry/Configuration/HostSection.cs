namespace BuildSentry.Configuration;

/// <summary>The runner host itself: what its own processes may reach, and whether it runs one job at a time.</summary>
public sealed class HostSection
{
    public static readonly string[] ExclusiveChoices = ["auto", "true", "false"];

    /// <summary><c>true</c>: while exactly one job runs, egress by processes outside every job is that job's;
    /// <c>auto</c>: the same until two jobs have run at once; <c>false</c>: never (a shared host).</summary>
    public string Exclusive
    {
        get;
        set => field = ExclusiveChoices.Contains(value)
            ? value
            : throw new InvalidDataException($"host.exclusive must be one of {string.Join(", ", ExclusiveChoices)}, not '{value}'");
    } = "false";

    /// <summary>The profile whose egress rules allow the host's own traffic (the runner's endpoints, NTP, mirrors).</summary>
    public string Profile { get; set; } = "host";
}
