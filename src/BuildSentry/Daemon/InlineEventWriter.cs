using System.Threading.Channels;
using BuildSentry.Core.Events;

namespace BuildSentry.Daemon;

/// <summary>
/// A channel writer that applies each event on the writer's own thread instead of queueing it. The process
/// sensor writes through it: handing each fork, exec and exit to the loop thread cost two context switches
/// and a futex wake per event, which under a fork-heavy build was most of the daemon's CPU time.
/// <paramref name="apply"/> returns false once the daemon stops; the writer then reports itself closed.
/// </summary>
internal sealed class InlineEventWriter(Func<SensorEvent, bool> apply) : ChannelWriter<SensorEvent>
{
    private volatile bool _closed;

    public override bool TryWrite(SensorEvent item)
    {
        if (_closed)
        {
            return false;
        }

        if (apply(item))
        {
            return true;
        }

        _closed = true;
        return false;
    }

    public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<bool>(cancellationToken)
            : ValueTask.FromResult(!_closed);
}
