using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Tests.Jobs;
using BuildSentry.Core.Tracing;
using static BuildSentry.Core.Tests.Jobs.TraceBuilder;

namespace BuildSentry.Core.Tests.Tracing;

public sealed class TraceRoundTripTests
{
    [Fact]
    public async Task A_recorded_trace_replays_into_the_same_jobs()
    {
        var trace = new TraceBuilder()
            .Spawn(Key(1), Key(10), "/bin/bash", GitHub())
            .Spawn(Key(10), Key(11), "/usr/bin/curl")
            .Add(new SensorLoss(DateTimeOffset.UnixEpoch, "proc-connector", 3, "sequence gap"))
            .Exit(Key(11), 7);
        trace.Add(new ProcessRescanned(trace.Now, "loss", [new ProcessSnapshot(Key(10), Key(1), Details("/bin/bash", GitHub()))]));
        trace.Add(new JobEndRequested(trace.Now, "github-4711-1-build", "hook"));

        using var buffer = new MemoryStream();
        using (var writer = new TraceWriter(buffer))
        {
            foreach (var e in trace.Events)
            {
                writer.Write(e);
            }
        }

        var text = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        Assert.Equal(trace.Events.Count, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var replayed = new List<SensorEvent>();
        await foreach (var e in TraceReader.ReadAsync(new MemoryStream(buffer.ToArray())))
        {
            replayed.Add(e);
        }

        Assert.Equal(trace.Events.Count, replayed.Count);
        Assert.Equal(Summarise(trace.Events), Summarise(replayed));
    }

    [Fact]
    public async Task A_corrupt_line_is_reported_with_its_line_number()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("{\"type\":\"exit\",\"time\":\"2026-01-01T00:00:00Z\",\"process\":{\"pid\":1,\"startTime\":2},\"exitCode\":0}\n{\"type\":\"nope\"}\n");

        var error = await Assert.ThrowsAsync<TraceFormatException>(async () =>
        {
            await foreach (var _ in TraceReader.ReadAsync(new MemoryStream(bytes)))
            {
            }
        });

        Assert.Equal(2, error.Line);
    }

    private static string Summarise(IEnumerable<SensorEvent> events)
    {
        var observer = new RecordingObserver();
        var tracker = new JobTracker(observer, observer);
        foreach (var e in events)
        {
            tracker.Apply(e);
        }

        return string.Join(";", observer.Started.Select(j => $"{j.Id}:{j.Root}:{j.Metadata.Repository}"))
               + "|" + string.Join(";", observer.Ended.Select(j => $"{j.Id}:{j.EndReason}:{j.ProcessesStarted}"))
               + "|" + string.Join(";", observer.Processes.Select(p => $"{p.Process.Key}:{p.JobId}:{p.Exec}:{p.Process.Details.Exe}"))
               + "|" + tracker.EventsLost;
    }
}
