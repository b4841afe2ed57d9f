using System.Text.Json.Nodes;
using BuildSentry.Configuration;
using BuildSentry.Control;

namespace BuildSentry.Doctor;

/// <summary>The running daemon, asked over its control socket, and the socket's group.</summary>
internal static class DaemonChecks
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static IReadOnlyList<DoctorCheck> Run(DaemonConfiguration configuration, string socketPath)
    {
        ControlResponse response;
        try
        {
            response = new ControlClient(socketPath, Timeout).SendAsync(new ControlRequest(ControlCommands.Status), CancellationToken.None)
                .GetAwaiter().GetResult();
        }
        catch (ControlClientException e)
        {
            return [DoctorCheck.Fail("daemon", e.Message, "systemctl start buildsentry (journalctl -u buildsentry says why it stopped)")];
        }

        if (!response.Ok || response.Body is not { } status)
        {
            return [DoctorCheck.Fail("daemon", $"the daemon refused status: {response.Message}", "run doctor as root or as a member of control.group")];
        }

        var sensors = status["sensors"]?.AsObject() ?? [];
        return
        [
            DoctorCheck.Ok("daemon", $"running, answering on {socketPath}: {status["jobs"]?.AsArray().Count ?? 0} active job(s)"),
            Sensor(sensors),
            sensors["captureFault"]?.GetValue<string>() is { } captureFault
                ? DoctorCheck.Fail("capture", $"the capture failed: {captureFault}", "see journalctl -u buildsentry; the daemon exits so that systemd restarts it")
                : (string?)sensors["capture"] == "on"
                    ? DoctorCheck.Ok("capture", "capturing")
                    : DoctorCheck.Needed(configuration.Capture.Enabled, "capture", "not capturing", "set capture.enabled: true and install libpcap0.8"),
            Group(configuration, socketPath),
        ];
    }

    private static DoctorCheck Sensor(JsonObject sensors)
    {
        var name = (string?)sensors["processSensor"] ?? "none";
        if (sensors["processSensorFault"]?.GetValue<string>() is { } fault)
        {
            return DoctorCheck.Fail("process sensor", $"{name} failed: {fault}", "see journalctl -u buildsentry");
        }

        return sensors["processSensorFallback"]?.GetValue<string>() is { } fallback
            ? DoctorCheck.Warn("process sensor", $"{name}, not eBPF: {fallback}", "see the bpf and btf lines above")
            : DoctorCheck.Ok("process sensor", $"{name}; prevent mode {(string?)sensors["preventMode"] ?? "unknown"}");
    }

    private static DoctorCheck Group(DaemonConfiguration configuration, string socketPath)
    {
        if (configuration.Control.Group is not { } group)
        {
            return DoctorCheck.Warn("control group", "control.group is not set: only root may use the control socket, and runner hooks run as the runner's user",
                "groupadd --system buildsentry; usermod -aG buildsentry RUNNER-USER; set control.group: buildsentry; restart the daemon");
        }

        var gid = UnixGroups.ResolveGid(group, "/etc/group");
        var owner = UnixPath.GroupOf(socketPath);
        if (gid is null)
        {
            return DoctorCheck.Fail("control group", $"control.group '{group}' is not in /etc/group", $"groupadd --system {group}, or give the group as a number");
        }

        return owner == gid
            ? DoctorCheck.Ok("control group", $"{socketPath} belongs to group {group} ({gid})")
            : DoctorCheck.Fail("control group", $"{socketPath} belongs to gid {owner?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}, not {group} ({gid})",
                "restart the daemon so that it gives the socket to control.group");
    }
}
