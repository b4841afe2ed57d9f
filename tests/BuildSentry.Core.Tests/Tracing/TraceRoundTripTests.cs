using System.Net;
using BuildSentry.Core.Events;
using BuildSentry.Core.Jobs;
using BuildSentry.Core.Network;
using BuildSentry.Core.Profiles;
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
    public void Network_events_round_trip_with_their_addresses_and_attribution()
    {
        var flow = new FlowKey(TransportProtocol.Udp, IPAddress.Parse("fd00::1"), 40000, IPAddress.Parse("198.18.0.2"), 53);
        SensorEvent[] events =
        [
            new DnsQueryObserved(DateTimeOffset.UnixEpoch, flow, 7, "abc.exfil.test", 1, new FlowAttribution(Key(5), 4026531840, null)),
            new DnsAnswerObserved(DateTimeOffset.UnixEpoch, flow, 7, "abc.exfil.test",
                [new DnsRecord("abc.exfil.test", DnsRecordType.A, 60, IPAddress.Parse("198.18.0.66"), null)], 4026531840),
            new ConnectionAttempted(DateTimeOffset.UnixEpoch, flow with { Protocol = TransportProtocol.Tcp }, FlowAttribution.Unattributed(1, "socket gone")),
        ];

        using var buffer = new MemoryStream();
        using (var writer = new TraceWriter(buffer))
        {
            Array.ForEach(events, writer.Write);
        }

        var lines = System.Text.Encoding.UTF8.GetString(buffer.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var back = lines.Select((l, i) => TraceReader.Parse(l, i + 1)).ToArray();

        var query = Assert.IsType<DnsQueryObserved>(back[0]);
        Assert.Equal(flow, query.Flow);
        Assert.Equal(Key(5), query.Attribution.Owner);
        var answer = Assert.IsType<DnsAnswerObserved>(back[1]);
        Assert.Equal(IPAddress.Parse("198.18.0.66"), Assert.Single(answer.Answers).Address);
        var connect = Assert.IsType<ConnectionAttempted>(back[2]);
        Assert.Null(connect.Attribution.Owner);
        Assert.Equal("socket gone", connect.Attribution.Failure);
    }

    [Fact]
    public void An_attribution_made_at_the_syscall_round_trips_and_one_made_from_a_packet_is_written_as_before()
    {
        var flow = new FlowKey(TransportProtocol.Udp, IPAddress.Any, 0, IPAddress.Parse("198.18.0.2"), 53);
        var atSyscall = new UdpFlowStarted(DateTimeOffset.UnixEpoch, flow, new FlowAttribution(Key(5), 4026531840, null, "job-1") { AtSyscall = true });
        var fromPacket = atSyscall with { Attribution = new FlowAttribution(Key(5), 4026531840, null, "job-1") };

        var back = Assert.IsType<UdpFlowStarted>(TraceReader.Parse(Line(atSyscall), 1));
        Assert.Equal((Key(5), "job-1", true), (back.Attribution.Owner, back.Attribution.KernelJob, back.Attribution.AtSyscall));
        Assert.Contains("\"atSyscall\":true", Line(atSyscall));
        Assert.DoesNotContain("atSyscall", Line(fromPacket));
        Assert.False(Assert.IsType<UdpFlowStarted>(TraceReader.Parse(Line(fromPacket), 1)).Attribution.AtSyscall);
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

    private static string Line(SensorEvent e)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TraceWriter(buffer))
        {
            writer.Write(e);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()).TrimEnd('\n');
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
