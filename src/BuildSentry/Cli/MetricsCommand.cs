using System.CommandLine;
using System.Text.Json.Nodes;
using BuildSentry.Control;
using BuildSentry.Metrics;

namespace BuildSentry.Cli;

/// <summary><c>buildsentry metrics</c>: what <c>status</c> counts, as Prometheus text or OpenMetrics.</summary>
internal static class MetricsCommand
{
    public static Command Create()
    {
        var socket = ControlSocketOption.Create();
        var openMetrics = new Option<bool>("--openmetrics") { Description = "OpenMetrics 1.0 text instead of the Prometheus text format (0.0.4) that node_exporter's textfile collector reads." };
        var command = new Command("metrics",
            "Print the daemon's metrics (jobs, verdicts, violations, kills and their latency, alerts by target, sensor loss, memory). "
            + "Exit codes: 0 printed, 1 refused by the daemon, 2 usage error, 3 daemon unreachable.")
        {
            socket, openMetrics,
        };
        command.SetAction(parseResult => ControlCall.Send(parseResult, socket, new ControlRequest(ControlCommands.Status),
            (response, output) => output.Write(StatusMetrics.Render(response.Body ?? new JsonObject(), parseResult.GetValue(openMetrics)))));
        return command;
    }
}
