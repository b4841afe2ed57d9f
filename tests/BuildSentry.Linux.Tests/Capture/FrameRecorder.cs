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

    /// <summary>Stops after a grace period that lets the last frames through the ring buffer.</summary>
    public IReadOnlyList<Packet> Stop()
    {
        Thread.Sleep(400);
        _stop.Cancel();
        _run.Wait(TimeSpan.FromSeconds(5));
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
