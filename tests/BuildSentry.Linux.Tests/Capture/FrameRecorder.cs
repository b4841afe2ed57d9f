using BuildSentry.Linux.Capture;
using PacketDotNet;

namespace BuildSentry.Linux.Tests.Capture;

/// <summary>Runs a packet source on a background thread and keeps a decoded copy of every frame.</summary>
internal sealed class FrameRecorder : IDisposable
{
    private readonly List<Packet> _packets = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public FrameRecorder(IPacketSource source)
    {
        Source = source;
        _run = Task.Factory.StartNew(() => source.Run(Record, _stop.Token), TaskCreationOptions.LongRunning);
    }

    public IPacketSource Source { get; }

    /// <summary>
    /// Stops after a grace period that lets the last frames through the ring buffer, and, given
    /// <paramref name="until"/>, once the frames recorded satisfy it (at most 10 s): under a parallel test
    /// load the reader thread can lag the kernel by more than the grace.
    /// </summary>
    public IReadOnlyList<Packet> Stop(Func<IReadOnlyList<Packet>, bool>? until = null)
    {
        Thread.Sleep(400);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (until is not null && DateTime.UtcNow < deadline && !until(Snapshot()))
        {
            Thread.Sleep(50);
        }

        _stop.Cancel();
        _run.Wait(TimeSpan.FromSeconds(5));
        return Snapshot();
    }

    private List<Packet> Snapshot()
    {
        lock (_packets)
            return [.. _packets];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _run.Wait(TimeSpan.FromSeconds(5));
        Source.Dispose();
        _stop.Dispose();
    }

    private void Record(in CapturedFrame frame)
    {
        var packet = Packet.ParsePacket(frame.LinkType, frame.Data.ToArray());
        lock (_packets)
            _packets.Add(packet);
    }
}
