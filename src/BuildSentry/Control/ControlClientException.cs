namespace BuildSentry.Control;

/// <summary>The daemon could not be asked: no socket, nobody listening, no permission, or no sensible answer.</summary>
internal sealed class ControlClientException(string message, Exception? inner = null) : Exception(message, inner);
