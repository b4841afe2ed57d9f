using System.CommandLine;
using BuildSentry.Control;

namespace BuildSentry.Cli;

/// <summary><c>buildsentry reload</c>: asks the daemon to reload its configuration and profiles.</summary>
internal static class ReloadCommand
{
    public static Command Create()
    {
        var socket = ControlSocketOption.Create();
        var command = new Command("reload", "Reload the daemon's configuration and profiles. Exit codes: 0 reloaded, 1 refused or failed (e.g. invalid profiles), 2 usage error, 3 daemon unreachable.")
        {
            socket,
        };
        command.SetAction(parseResult => ControlCall.Send(parseResult, socket, new ControlRequest(ControlCommands.Reload)));
        return command;
    }
}
