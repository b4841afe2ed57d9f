using System.CommandLine;

namespace BuildSentry.Cli;

/// <summary><c>buildsentry job</c>: the commands runner hooks call when a job starts and ends.</summary>
internal static class JobCommand
{
    public static Command Create() => new("job", "Tell the running daemon that a CI job starts or ends, or ask for its report so far (for runner hooks).")
    {
        JobStartCommand.Create(),
        JobEndCommand.Create(),
        JobReportCommand.Create(),
    };
}
