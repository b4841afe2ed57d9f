using System.Diagnostics;
using BuildSentry.Cli;
using BuildSentry.Configuration;
using BuildSentry.Core.Alerts;
using BuildSentry.Core.Monitoring;
using BuildSentry.Core.Profiles;
using BuildSentry.Core.Tracing;
using BuildSentry.Profiles;

namespace BuildSentry.Replay;

/// <summary>One <c>replay</c>: the daemon's monitor with actions that only record, driven by the trace's own clock.</summary>
internal sealed class ReplayRun(TextWriter output, TextWriter error, string tracePath, string? profilesPath, ProfileMode defaultMode, long memoryEvery)
{
    // Peaks between the printed samples count too; reading /proc/self/status this often costs nothing measurable.
    private const long SampleEvery = 10_000;

    public int Execute()
    {
        var directory = profilesPath ?? ConfigurationLoader.ProfilesDirectory(new DaemonConfiguration());
        var (texts, problems) = ProfileFiles.Read(ProfileFiles.Expand([directory]));
        var loaded = ProfileLoader.Load(texts);
        problems.AddRange(loaded.Diagnostics);
        if (problems.Count > 0 || texts.Count == 0)
        {
            problems.ForEach(p => error.WriteLine(p.ToString()));
            error.WriteLine($"error: no valid profiles in {directory}");
            return ExitCodes.Failure;
        }

        var alerts = new PrintingAlertSink(output, new JsonAlertFormatter("replay"));
        var reports = new CountingReportSink();
        var enforcer = new DryRunEnforcer();
        var monitor = new JobMonitor(loaded.Profiles, new MonitorOptions { DefaultMode = defaultMode, HostName = "replay" },
            enforcer, alerts, new NoPlacement(), reports);
        var memory = new MemoryProbe();
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using var stream = tracePath == "-" ? Console.OpenStandardInput() : File.OpenRead(tracePath);
            using var reader = new StreamReader(stream);
            var lineNumber = 0;
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                monitor.Apply(TraceReader.Parse(line, lineNumber));
                var events = monitor.Counters.Events;
                if (events % SampleEvery == 0)
                {
                    memory.Sample();
                }

                if (memoryEvery > 0 && events % memoryEvery == 0)
                {
                    memory.Sample();
                    error.WriteLine($"replay: {monitor.Counters.Events} events, {monitor.ActiveJobs.Count} active jobs, managed {MemoryProbe.Megabytes(memory.LastManaged)} MB, rss {MemoryProbe.Megabytes(memory.LastRss)} MB");
                }
            }
        }
        catch (TraceFormatException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCodes.Failure;
        }

        stopwatch.Stop();
        memory.Sample();
        var counters = monitor.Counters;
        error.WriteLine($"replay: {counters.Events} events in {stopwatch.Elapsed.TotalSeconds:F2} s ({counters.Events / Math.Max(stopwatch.Elapsed.TotalSeconds, 1e-6):F0} events/s)");
        error.WriteLine($"replay: jobs {counters.JobsStarted} started, {reports.Ended} ended, {monitor.ActiveJobs.Count} still running");
        error.WriteLine($"replay: alerts {counters.Alerts}; connections allowed {counters.Allowed}, denied {counters.Denied}, unattributed {counters.UnattributedFlows}; kills {enforcer.Kills} (not carried out)");
        error.WriteLine($"replay: peak managed heap {MemoryProbe.Megabytes(memory.PeakManaged)} MB, peak rss {MemoryProbe.Megabytes(memory.PeakRss)} MB");
        return ExitCodes.Success;
    }
}
