namespace BuildSentry.Core.Profiles;

/// <summary>Hints for misspellings: the closest valid word, or the list of valid words.</summary>
internal static class Suggestions
{
    public static string Hint(string actual, IReadOnlyCollection<string> valid)
    {
        var nearest = Nearest(actual, valid);
        return nearest is not null
            ? $"did you mean '{nearest}'?"
            : $"valid: {string.Join(", ", valid)}";
    }

    public static string? Nearest(string actual, IEnumerable<string> valid)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var lowered = actual.ToLowerInvariant();
        foreach (var candidate in valid)
        {
            var distance = Distance(lowered, candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return bestDistance <= Math.Max(2, actual.Length / 3) ? best : null;
    }

    // Levenshtein distance; inputs are short keys and names, and long ones are cut to keep it cheap.
    private static int Distance(string a, string b)
    {
        a = a.Length > 64 ? a[..64] : a;
        b = b.Length > 64 ? b[..64] : b;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
