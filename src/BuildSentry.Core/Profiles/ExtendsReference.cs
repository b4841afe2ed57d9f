namespace BuildSentry.Core.Profiles;

/// <summary>A parent named in <c>extends</c>, with where it was written for error messages.</summary>
internal sealed record ExtendsReference(string Name, int Line, int Column);
