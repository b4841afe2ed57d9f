namespace BuildSentry.Core.Profiles;

/// <summary>
/// One problem found in a profile source. Lines and columns are 1-based, as editors count them.
/// </summary>
public sealed record ProfileDiagnostic(string Source, int Line, int Column, string Message, string? Hint)
{
    /// <summary>Formats as <c>file:line:column: error: message (hint: ...)</c>, the shape compilers use,
    /// so editors and CI annotators can jump to the position.</summary>
    public override string ToString() =>
        Hint is null
            ? $"{Source}:{Line}:{Column}: error: {Message}"
            : $"{Source}:{Line}:{Column}: error: {Message} (hint: {Hint})";
}
