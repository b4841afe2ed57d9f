using System.CommandLine;
using BuildSentry.Control;

namespace BuildSentry.Cli;

/// <summary><c>buildsentry job end</c>: tells the daemon the job is over, so it writes the job's report.</summary>
internal static class JobEndCommand
{
    public static Command Create()
    {
        var socket = ControlSocketOption.Create();
        var jobId = new Option<string>("--job-id") { Description = "The job that ended (default: the daemon finds it from this command's ancestry).", HelpName = "ID" };
        var command = new Command("end", "End a job. Exit codes: 0 ended, 1 refused by the daemon, 2 usage error, 3 daemon unreachable.")
        {
            socket, jobId,
        };
        command.SetAction(parseResult => ControlCall.Send(parseResult, socket, new ControlRequest(ControlCommands.JobEnd)
        {
            JobId = parseResult.GetValue(jobId),
        }));
        return command;
    }
}
