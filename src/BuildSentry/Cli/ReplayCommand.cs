using System.CommandLine;
using BuildSentry.Core.Profiles;
using BuildSentry.Replay;

namespace BuildSentry.Cli;

/// <summary>
/// <c>buildsentry replay TRACE [--profiles DIR]</c>: feeds a recorded trace (the daemon's
/// <c>trace_file</c>) through the monitor, offline, and prints the alerts it would raise.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var trace = new Argument<string>("trace") { Description = "An NDJSON trace, as the daemon records it with trace_file; '-' reads standard input." };
        trace.Validators.Add(result =>
        {
            var path = result.GetValueOrDefault<string>();
            if (path != "-" && !File.Exists(path))
            {
                result.AddError($"'{path}' is not a file");
            }
        });
        var profiles = new Option<string>("--profiles")
        {
            Description = "The profiles directory (or a file) to judge the trace against (default: /etc/buildsentry/profiles, else the shipped set).",
        };
        var mode = new Option<string>("--mode") { Description = "The mode for profiles that set none; kill and prevent modes only report the kills they would make (a trace replays no refusal).", DefaultValueFactory = _ => "audit" };
        mode.AcceptOnlyFromAmong("audit", "kill", "prevent");
        var memoryEvery = new Option<long>("--memory-every")
        {
            Description = "Every N events, print the events so far with the managed heap and RSS to standard error (memory benchmarks).",
        };
        memoryEvery.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long>() < 0)
            {
                result.AddError("--memory-every must not be negative");
            }
        });

        var command = new Command("replay", "Replay a recorded trace through the monitor: print each alert as a JSON line on standard output and a summary (events, jobs, alerts, elapsed, peak memory) on standard error. Nothing is killed. Exit codes: 0 replayed, 1 bad trace or invalid profiles, 2 usage error.")
        {
            trace, profiles, mode, memoryEvery,
        };
        command.SetAction(parseResult => new ReplayRun(
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            parseResult.GetRequiredValue(trace),
            parseResult.GetValue(profiles),
            parseResult.GetValue(mode) switch { "kill" => ProfileMode.Kill, "prevent" => ProfileMode.Prevent, _ => ProfileMode.Audit },
            parseResult.GetValue(memoryEvery)).Execute());
        return command;
    }
}
