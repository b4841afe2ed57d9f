using System.CommandLine;
using BuildSentry.Control;

namespace BuildSentry.Cli;

/// <summary>The <c>--socket</c> option every command that talks to the daemon shares.</summary>
internal static class ControlSocketOption
{
    public const string EnvironmentVariable = "BUILDSENTRY_CONTROL_SOCKET";

    public static Option<string> Create() => new("--socket")
    {
        Description = $"The daemon's control socket (also ${EnvironmentVariable}).",
        HelpName = "PATH",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } path
            ? path
            : ControlServerOptions.DefaultSocketPath,
    };
}
