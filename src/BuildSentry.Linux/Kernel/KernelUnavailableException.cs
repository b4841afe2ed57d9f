namespace BuildSentry.Linux.Kernel;

/// <summary>The BPF programs could not be loaded or attached here; the message says why, for the fallback's alert.</summary>
public sealed class KernelUnavailableException(string message) : Exception(message);
