namespace BuildSentry.Tests.Dependencies;

/// <summary>A program the suite runs, and the first place (file:line, or script) that runs it.</summary>
internal sealed record LaunchedProgram(string Program, string Where);
