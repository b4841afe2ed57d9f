namespace BuildSentry.Core.Profiles;

/// <summary>
/// A shell-like pattern compared case-insensitively: <c>*</c> matches any run of characters
/// (slashes included, so <c>acme/*</c> covers every repository of acme), <c>?</c> matches one.
/// </summary>
public sealed record Glob(string Pattern)
{
    public int WildcardCount => Pattern.Count(c => c is '*' or '?');

    public int LiteralLength => Pattern.Length - WildcardCount;

    public bool Matches(string? value)
    {
        if (value is null)
        {
            return false;
        }

        // Iterative matching with a single backtrack point: linear in practice, never exponential.
        int p = 0, v = 0, star = -1, resume = 0;
        while (v < value.Length)
        {
            if (p < Pattern.Length && (Pattern[p] == '?' || char.ToLowerInvariant(Pattern[p]) == char.ToLowerInvariant(value[v])))
            {
                p++;
                v++;
            }
            else if (p < Pattern.Length && Pattern[p] == '*')
            {
                star = p++;
                resume = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < Pattern.Length && Pattern[p] == '*')
        {
            p++;
        }

        return p == Pattern.Length;
    }

    public override string ToString() => Pattern;
}
