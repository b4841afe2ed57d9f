namespace BuildSentry.Core.Profiles;

internal sealed record ProfileParseResult(IReadOnlyList<ProfileDefinition> Definitions, IReadOnlyList<ProfileDiagnostic> Diagnostics);
