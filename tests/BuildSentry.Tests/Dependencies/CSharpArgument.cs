namespace BuildSentry.Tests.Dependencies;

/// <summary>An argument of a C# call: a string literal's decoded value, or other code (its text, for names).</summary>
internal sealed record CSharpArgument(string? Value, string Code)
{
    public static CSharpArgument Literal(string value) => new(value, "");

    public static CSharpArgument Other(string code) => new(null, code);
}
