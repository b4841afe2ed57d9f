using BuildSentry.Core.Alerts;

namespace BuildSentry.Core.Tests.Alerts;

internal static class HostileAlerts
{
    public static readonly string[] Injections =
    [
        "evil\n<14>1 2026-01-01T00:00:00Z forged buildsentry 1 egress.connection - fake",
        "a] [buildsentry@32473 action=\"alerted\"",
        "quote\" action=\"none",
        "pipe|CEF:0|forged|x",
        "eq= act=none",
        "ansi\u001b[2J\u001b[31mred",
        "bad utf8 \\xff\\xfe (already escaped by the sensor)",
        "lone surrogate \ud800 here",
        "bidi \u202e txt.exe",
        "back\\slash",
    ];

    public static Alert With(IReadOnlyList<string> argv, string? host = null) =>
        new("alert-1", new DateTimeOffset(2026, 11, 29, 5, 0, 0, 123, TimeSpan.Zero), AlertKinds.EgressConnection,
            "Egress to a host not in the profile", AlertSeverity.Critical, AlertAction.Killed)
        {
            Job = new AlertJob("github", "github-1-1-build", "acme/app", "ci", "build", "1", "1", "runner-1"),
            Process = new AlertProcess(4242, "/usr/bin/curl", argv, "/work", 1000,
                [new AlertAncestor(4241, "/bin/sh"), new AlertAncestor(4240, "/bin/bash")]),
            Destination = new AlertDestination("198.18.0.66", 80, "tcp", [host ?? "evil.test"], null),
            Profile = "default",
            Reason = "no egress rule of profile 'default' matches evil.test:80/tcp",
        };
}
