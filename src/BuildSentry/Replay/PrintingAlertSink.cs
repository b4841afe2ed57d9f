using BuildSentry.Core.Alerts;

namespace BuildSentry.Replay;

/// <summary>Prints each alert as one formatted line: replay's output is the alerts themselves.</summary>
internal sealed class PrintingAlertSink(TextWriter output, IAlertFormatter formatter) : IAlertSink
{
    public void Publish(Alert alert) => output.WriteLine(formatter.Format(alert));
}
