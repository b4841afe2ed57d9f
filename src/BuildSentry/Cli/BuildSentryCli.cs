using System.CommandLine;
using System.CommandLine.Invocation;

namespace BuildSentry.Cli;

/// <summary>Builds the command tree (one class per command) and runs it with the given writers.</summary>
internal static class BuildSentryCli
{
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand(
            "BuildSentry watches the processes and network egress of CI build jobs and holds them to allowlist profiles.");
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(JobCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(ReloadCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        root.Subcommands.Add(ProfileCommand.Create());
        root.Subcommands.Add(ExecCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(MetricsCommand.Create());
        return root;
    }

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var parseResult = CreateRootCommand().Parse(args);

        // System.CommandLine exits 1 on parse errors; BuildSentry keeps 1 for "invalid" or "denied"
        // and reports a wrong command line with 2.
        if (parseResult.Action is ParseErrorAction)
        {
            foreach (var parseError in parseResult.Errors)
            {
                error.WriteLine($"error: {parseError.Message}");
            }

            error.WriteLine($"Run '{string.Join(' ', ["buildsentry", .. CommandPath(parseResult)])} --help' for usage.");
            return ExitCodes.Usage;
        }

        // The daemon handles SIGTERM itself (a clean stop flushes alerts); nothing else runs long enough to care.
        return parseResult.Invoke(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null });
    }

    private static IEnumerable<string> CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            names.Insert(0, result.Command.Name);
        }

        return names;
    }
}
