using System.Text;

namespace BuildSentry.Tests.Dependencies;

/// <summary>
/// Reads the arguments of a C# call, far enough to see which are string literals: regular, verbatim,
/// interpolated and raw literals are decoded (an interpolation hole becomes "$_", a shell expansion);
/// collection expressions ([a, b]) are flattened into the list; anything else is an unknown argument.
/// </summary>
internal static class CSharpArguments
{
    public const string Hole = "$_";

    /// <summary>The arguments between the bracket at <paramref name="open"/> and its partner.</summary>
    public static List<CSharpArgument> Read(string source, int open)
    {
        var arguments = new List<CSharpArgument>();
        // Per open bracket: whether its commas separate arguments (the call's own, or a collection expression's).
        var levels = new Stack<bool>();
        var start = open + 1;
        for (var i = open; i < source.Length; i++)
        {
            var c = source[i];
            if (c == '"' || (c is '$' or '@' && i + 1 < source.Length && source[i + 1] is '"' or '$' or '@'))
            {
                i = SkipLiteral(source, i, out _) - 1;
            }
            else if (c == '\'' && source.IndexOf('\'', i + (source[i + 1] == '\\' ? 3 : 2)) is var end and > 0)
            {
                i = end;
            }
            else if (c is '(' or '[' or '{')
            {
                var separates = levels.Count == 0 || (levels.Count == 1 && c == '[' && source[start..i].Trim().Length == 0);
                if (separates)
                {
                    start = i + 1;
                }

                levels.Push(separates);
            }
            else if (c is ')' or ']' or '}')
            {
                if (levels.Pop())
                {
                    Add(arguments, source[start..i]);
                    start = i + 1;
                }

                if (levels.Count == 0)
                {
                    return arguments;
                }
            }
            else if (c == ',' && levels.Peek())
            {
                Add(arguments, source[start..i]);
                start = i + 1;
            }
        }

        return arguments;
    }

    private static void Add(List<CSharpArgument> arguments, string text)
    {
        if (text.Trim().Length > 0)
        {
            arguments.Add(Parse(text));
        }
    }

    private static CSharpArgument Parse(string text)
    {
        text = text.Trim();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && text[..colon].All(char.IsAsciiLetterOrDigit))
        {
            // A named argument.
            return CSharpArgument.Other(text);
        }

        var first = text.IndexOf('"', StringComparison.Ordinal);
        if (first >= 0 && text[..first].All(c => c is '$' or '@'))
        {
            var end = SkipLiteral(text, 0, out var value);
            if (text[end..].Trim().Length == 0)
            {
                return CSharpArgument.Literal(value);
            }
        }

        return CSharpArgument.Other(text);
    }

    /// <summary>Skips the literal that starts at <paramref name="start"/> and decodes it into <paramref name="value"/>.</summary>
    public static int SkipLiteral(string source, int start, out string value)
    {
        var i = start;
        var dollars = 0;
        var verbatim = false;
        while (source[i] is '$' or '@')
        {
            dollars += source[i] == '$' ? 1 : 0;
            verbatim |= source[i] == '@';
            i++;
        }

        var quotes = 0;
        while (i + quotes < source.Length && source[i + quotes] == '"')
        {
            quotes++;
        }

        var raw = quotes >= 3;
        if (!raw)
        {
            quotes = 1;
        }

        i += quotes;
        var text = new StringBuilder();
        var closing = new string('"', quotes);
        while (i < source.Length)
        {
            if (source.AsSpan(i).StartsWith(closing) && !(verbatim && !raw && i + 1 < source.Length && source[i + 1] == '"'))
            {
                i += quotes;
                break;
            }

            var c = source[i];
            if (c == '"' && verbatim && !raw)
            {
                text.Append('"');
                i += 2;
            }
            else if (c == '\\' && !verbatim && !raw)
            {
                text.Append(source[i + 1] switch { 'n' => '\n', 't' => '\t', '0' => '\0', var other => other });
                i += 2;
            }
            else if (dollars > 0 && c == '{')
            {
                var braces = raw ? dollars : 1;
                if (!raw && i + 1 < source.Length && source[i + 1] == '{')
                {
                    text.Append('{');
                    i += 2;
                }
                else if (source.AsSpan(i).StartsWith(new string('{', braces)))
                {
                    i = SkipHole(source, i + braces) + braces;
                    text.Append(Hole);
                }
                else
                {
                    text.Append(c);
                    i++;
                }
            }
            else if (dollars > 0 && !raw && c == '}' && i + 1 < source.Length && source[i + 1] == '}')
            {
                text.Append('}');
                i += 2;
            }
            else
            {
                text.Append(c);
                i++;
            }
        }

        value = raw ? Dedent(text.ToString()) : text.ToString();
        return i;
    }

    private static int SkipHole(string source, int i)
    {
        var depth = 0;
        for (; i < source.Length; i++)
        {
            switch (source[i])
            {
                case '"':
                    i = SkipLiteral(source, i, out _) - 1;
                    break;
                case '{' or '(' or '[':
                    depth++;
                    break;
                case '}' when depth == 0:
                    return i;
                case '}' or ')' or ']':
                    depth--;
                    break;
            }
        }

        return i;
    }

    // A raw literal's content starts on the line after the opening quotes and is indented as its closing quotes are.
    private static string Dedent(string text)
    {
        var lines = text.Split('\n');
        if (lines.Length < 2)
        {
            return text;
        }

        var indent = lines[^1].Length;
        return string.Join('\n', lines[1..^1].Select(line => line.Length >= indent ? line[indent..] : line.TrimStart()));
    }
}
