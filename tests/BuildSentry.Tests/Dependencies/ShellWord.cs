namespace BuildSentry.Tests.Dependencies;

/// <summary>
/// One word of a command line. <see cref="Dynamic"/> words hold an expansion ($VAR, $(...), a C# hole), so their
/// value is only known when the command runs; <see cref="Text"/> keeps what is literal in them.
/// </summary>
internal sealed record ShellWord(string Text, bool Dynamic)
{
    public static ShellWord Literal(string text) => new(text, false);

    public static readonly ShellWord Unknown = new("", true);

    /// <summary>A C# spread (.. list): any number of words, options in practice (setpriv's credentials).</summary>
    public static readonly ShellWord Spread = new("..", true);
}
