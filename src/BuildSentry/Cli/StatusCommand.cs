using System.CommandLine;
using System.Text.Json.Nodes;
using BuildSentry.Control;

namespace BuildSentry.Cli;

/// <summary><c>buildsentry status</c>: the daemon's jobs and counters, as tables or as its JSON.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var socket = ControlSocketOption.Create();
        var json = new Option<bool>("--json") { Description = "Print the daemon's status as one line of JSON." };
        var command = new Command("status", "Show the daemon's jobs and counters. Exit codes: 0 ok, 1 refused by the daemon, 2 usage error, 3 daemon unreachable.")
        {
            socket, json,
        };
        command.SetAction(parseResult => ControlCall.Send(parseResult, socket, new ControlRequest(ControlCommands.Status), (response, output) =>
        {
            var body = response.Body ?? new JsonObject();
            if (parseResult.GetValue(json))
            {
                output.WriteLine(body.ToJsonString());
            }
            else
            {
                StatusTable.Write(output, body);
            }
        }));
        return command;
    }
}
