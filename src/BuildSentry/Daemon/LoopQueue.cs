using System.Threading.Channels;

namespace BuildSentry.Daemon;

/// <summary>
/// Work for the monitor loop: control requests, reloads, timers and the events of sensors that do not apply
/// their own (the runner watcher, kill completions). Each item runs on the loop thread, under the monitor's lock.
/// </summary>
internal sealed class LoopQueue
{
    // Synchronous continuations: a writer (a control request, a timer) wakes the blocked loop thread directly.
    private readonly Channel<Action> _channel = Channel.CreateUnbounded<Action>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });

    /// <summary>False once the loop has stopped taking work.</summary>
    public bool Post(Action work) => _channel.Writer.TryWrite(work);

    public void Complete() => _channel.Writer.TryComplete();

    public bool TryTake(out Action work) => _channel.Reader.TryRead(out work!);

    /// <summary>
    /// Blocks until there is work or the queue is complete. Not Task.Wait: that spins (sched_yield) before it sleeps,
    /// and work arrives one item at a time, so the loop would spin after each.
    /// </summary>
    public bool WaitForWork(ManualResetEventSlim wake)
    {
        var waiting = _channel.Reader.WaitToReadAsync();
        if (!waiting.IsCompleted)
        {
            wake.Reset();
            var awaiter = waiting.GetAwaiter();
            awaiter.UnsafeOnCompleted(wake.Set);
            wake.Wait();
            return awaiter.GetResult();
        }

        return waiting.Result;
    }
}
