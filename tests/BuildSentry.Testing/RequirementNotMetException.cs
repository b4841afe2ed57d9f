namespace BuildSentry.Testing;

/// <summary>
/// Thrown when a test needs something the machine lacks (root, a tool). Such tests fail loudly
/// rather than skip, so a CI run cannot pass by quietly doing nothing.
/// </summary>
public sealed class RequirementNotMetException(string message) : Exception(message);
