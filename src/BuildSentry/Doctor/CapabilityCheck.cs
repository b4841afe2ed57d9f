using System.Globalization;

namespace BuildSentry.Doctor;

/// <summary>The capabilities this process has, against those the daemon's unit grants it (packaging/buildsentry.service).</summary>
internal static class CapabilityCheck
{
    private static readonly (string Name, int Bit)[] Needed =
    [
        ("CAP_CHOWN", 0), ("CAP_DAC_OVERRIDE", 1), ("CAP_DAC_READ_SEARCH", 2), ("CAP_KILL", 5), ("CAP_NET_ADMIN", 12),
        ("CAP_NET_RAW", 13), ("CAP_SYS_PTRACE", 19), ("CAP_SYS_NICE", 23), ("CAP_PERFMON", 38), ("CAP_BPF", 39),
    ];

    public static DoctorCheck Run(string statusText)
    {
        var line = statusText.Split('\n').FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        if (line is null || !ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var effective))
        {
            return DoctorCheck.Fail("capabilities", "no CapEff line in /proc/self/status", "run doctor on Linux, as root");
        }

        var missing = Needed.Where(c => (effective & (1UL << c.Bit)) == 0).Select(c => c.Name).ToList();
        return missing.Count == 0
            ? DoctorCheck.Ok("capabilities", "all the daemon's capabilities are effective here, so the checks below are the daemon's")
            : DoctorCheck.Fail("capabilities", $"this process lacks {string.Join(", ", missing)}: the BPF check and others below cannot answer for the daemon",
                "run doctor as root (sudo buildsentry doctor)");
    }
}
