namespace BuildSentry.Core.Profiles;

/// <summary>The text of one profile file and the name errors should quote for it (usually its path).</summary>
public sealed record ProfileText(string SourceName, string Text);
