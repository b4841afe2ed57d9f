namespace BuildSentry.Daemon;

/// <summary>A sensor that no longer sees: which one (process or capture) and why.</summary>
internal sealed record SensorFailure(string Sensor, string Reason);
