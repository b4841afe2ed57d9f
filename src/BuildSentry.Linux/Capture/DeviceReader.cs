using SharpPcap;
using SharpPcap.LibPcap;

namespace BuildSentry.Linux.Capture;

/// <summary>The one read loop behind live and file sources.</summary>
internal static class DeviceReader
{
    /// <param name="gate">Shared by the devices of one source so the handler never runs concurrently.</param>
    /// <param name="idle">Called (under the gate) when the read timed out without a frame.</param>
    public static void Read(PcapDevice device, FrameHandler handler, object gate, CancellationToken cancellationToken, Action? idle = null)
    {
        var linkType = device.LinkType;
        while (!cancellationToken.IsCancellationRequested)
        {
            switch (device.GetNextPacket(out var capture))
            {
                case GetPacketStatus.PacketRead:
                    var timeval = capture.Header.Timeval;
                    var time = DateTimeOffset.FromUnixTimeSeconds((long)timeval.Seconds)
                        .AddTicks((long)timeval.MicroSeconds * TimeSpan.TicksPerMicrosecond);
                    var length = capture.Header is PcapHeader header ? (int)header.PacketLength : capture.Data.Length;
                    lock (gate)
                    {
                        handler(new CapturedFrame(time, linkType, capture.Data, length));
                    }
                    break;
                case GetPacketStatus.ReadTimeout:
                    if (idle is not null)
                    {
                        lock (gate)
                        {
                            idle();
                        }
                    }

                    break;
                case GetPacketStatus.NoRemainingPackets:
                    return;
                default:
                    throw new InvalidOperationException($"Capture on {device.Name} failed: {device.LastError}");
            }
        }
    }
}
