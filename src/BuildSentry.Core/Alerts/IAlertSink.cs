namespace BuildSentry.Core.Alerts;

/// <summary>Where alerts go. <see cref="Publish"/> never blocks: the monitor loop calls it.</summary>
public interface IAlertSink
{
    void Publish(Alert alert);
}
