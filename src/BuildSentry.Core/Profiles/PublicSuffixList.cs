namespace BuildSentry.Core.Profiles;

/// <summary>
/// The Public Suffix List (publicsuffix.org; Debian's <c>publicsuffix</c> package ships it): which
/// names anyone can register under, so that a wildcard over one (<c>*.github.io</c>, <c>*.co.uk</c>)
/// is never suggested. Both the ICANN and the private sections count. Rules and names are compared
/// in their normalised (punycode, lower-case) form; a rule that does not normalise is skipped.
/// </summary>
public sealed class PublicSuffixList
{
    /// <summary>The list is about 230 KB; a larger text is cut there rather than read without end.</summary>
    public const int MaxTextLength = 4 * 1024 * 1024;

    public const string DebianPath = "/usr/share/publicsuffix/public_suffix_list.dat";

    private readonly HashSet<string> _rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _wildcardParents = new(StringComparer.Ordinal);
    private readonly HashSet<string> _exceptions = new(StringComparer.Ordinal);

    private PublicSuffixList()
    {
    }

    /// <summary>Rules read; a list with none is no list (a wrong file).</summary>
    public int RuleCount => _rules.Count + _wildcardParents.Count + _exceptions.Count;

    /// <summary>Lines that looked like rules but are not valid names.</summary>
    public int RulesSkipped { get; private set; }

    public static PublicSuffixList Parse(string text)
    {
        var list = new PublicSuffixList();
        var span = text.AsSpan(0, Math.Min(text.Length, MaxTextLength));
        foreach (var range in span.Split('\n'))
        {
            var line = span[range].Trim();
            if (line.IsEmpty || line.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            var end = line.IndexOfAny(' ', '\t');
            list.Add(end < 0 ? line : line[..end]);
        }

        return list;
    }

    /// <summary>The public suffix of a normalised name: the longest rule it falls under, an exception rule
    /// taking one label off, and the last label when no rule matches (the list's implicit <c>*</c>).</summary>
    public string PublicSuffixOf(string name)
    {
        for (var at = 0; at >= 0; at = NextLabel(name, at))
        {
            if (_exceptions.Contains(name[at..]))
            {
                return name[NextLabel(name, at)..];
            }
        }

        for (var at = 0; at >= 0; at = NextLabel(name, at))
        {
            var suffix = name[at..];
            var parent = NextLabel(name, at);
            if (_rules.Contains(suffix) || (parent >= 0 && _wildcardParents.Contains(name[parent..])))
            {
                return suffix;
            }
        }

        var lastDot = name.LastIndexOf('.');
        return lastDot < 0 ? name : name[(lastDot + 1)..];
    }

    public bool IsPublicSuffix(string name) => PublicSuffixOf(name).Length == name.Length;

    /// <summary>The public suffix and one label more (<c>example.co.uk</c> for <c>a.b.example.co.uk</c>); null for a
    /// name that is itself a public suffix.</summary>
    public string? RegistrableDomainOf(string name)
    {
        var suffix = PublicSuffixOf(name);
        if (suffix.Length >= name.Length)
        {
            return null;
        }

        var start = name.LastIndexOf('.', name.Length - suffix.Length - 2);
        return name[(start + 1)..];
    }

    private static int NextLabel(string name, int at)
    {
        var dot = name.IndexOf('.', at);
        return dot < 0 ? -1 : dot + 1;
    }

    private void Add(ReadOnlySpan<char> rule)
    {
        var set = rule.StartsWith('!') ? _exceptions : rule.StartsWith("*.", StringComparison.Ordinal) ? _wildcardParents : _rules;
        var text = rule[(set == _exceptions ? 1 : set == _wildcardParents ? 2 : 0)..];
        if (HostName.TryNormalize(text.ToString(), out var normalized))
        {
            set.Add(normalized);
        }
        else
        {
            RulesSkipped++;
        }
    }
}
