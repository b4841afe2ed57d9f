using BuildSentry.Core.Alerts;

namespace BuildSentry.Daemon;

/// <summary>Hands each alert to every sink; each sink queues on its own, so none waits for another.</summary>
internal sealed class FanOutAlertSink(IReadOnlyList<IAlertSink> sinks) : IAlertSink
{
    public IReadOnlyList<IAlertSink> Sinks => sinks;

    public void Publish(Alert alert)
    {
        foreach (var sink in sinks)
        {
            sink.Publish(alert);
        }
    }
}
