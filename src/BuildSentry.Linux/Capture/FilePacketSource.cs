using PacketDotNet;
using SharpPcap;
using SharpPcap.LibPcap;

namespace BuildSentry.Linux.Capture;

internal sealed class FilePacketSource : IPacketSource
{
    private readonly CaptureFileReaderDevice _device;
    private readonly object _gate = new();

    public FilePacketSource(string path, CaptureFilterOptions filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        _device = new CaptureFileReaderDevice(path);
        try
        {
            _device.Open(new DeviceConfiguration());
            // Only the cooked "any" header records direction in a file; libpcap rejects "outbound" elsewhere.
            var direction = _device.LinkType == LinkLayers.LinuxSll ? FilterDirection.CookedFile : FilterDirection.None;
            _device.Filter = CaptureFilter.Build(filter, direction);
        }
        catch
        {
            _device.Dispose();
            throw;
        }
    }

    public void Run(FrameHandler handler, CancellationToken cancellationToken, Action? idle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        DeviceReader.Read(_device, handler, _gate, cancellationToken);
    }

    public IReadOnlyList<PcapCounters> ReadCounters() => [];

    public void Dispose() => _device.Dispose();
}
