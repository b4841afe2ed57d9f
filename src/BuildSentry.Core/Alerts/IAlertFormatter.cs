namespace BuildSentry.Core.Alerts;

/// <summary>Renders an alert as one record of a wire format. The result never contains a line break.</summary>
public interface IAlertFormatter
{
    string Format(Alert alert);
}
