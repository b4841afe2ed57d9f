using System.Threading.Channels;
using BuildSentry.Core.Events;

namespace BuildSentry.Daemon;

/// <summary>A channel writer for sensors that report rarely (the runner watcher): each event is applied on the monitor loop.</summary>
internal sealed class QueuedEventWriter(MonitorPipeline pipeline) : ChannelWriter<SensorEvent>
{
    public override bool TryWrite(SensorEvent item) => pipeline.Queue.Post(() => pipeline.ApplyOnLoop(item));

    public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<bool>(cancellationToken) : ValueTask.FromResult(true);
}
