using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace BuildSentry.Core.Profiles;

/// <summary>
/// Puts DNS names into the one form rules and observations are compared in: lower case, no trailing
/// dot, internationalised labels as punycode (<c>xn--</c>). Names that cannot be normalised are
/// invalid and never match a rule, so a malformed name is denied rather than guessed at.
/// </summary>
public static class HostName
{
    public const int MaxLength = 253;
    public const int MaxLabelLength = 63;

    public static bool TryNormalize(string? input, [NotNullWhen(true)] out string? normalized) =>
        TryNormalize(input, out normalized, out _);

    /// <param name="problem">Why the name is invalid, for error messages; empty when it is valid.</param>
    public static bool TryNormalize(string? input, [NotNullWhen(true)] out string? normalized, out string problem)
    {
        normalized = null;
        if (string.IsNullOrEmpty(input) || input.Length > 4 * MaxLength)
        {
            problem = string.IsNullOrEmpty(input) ? "the name is empty" : "the name is too long";
            return false;
        }

        var name = input.EndsWith('.') ? input[..^1] : input;
        if (!IsAscii(name) || name.Contains("xn--", StringComparison.OrdinalIgnoreCase))
        {
            if (!TryIdnToAscii(name, out var ascii))
            {
                problem = "it is not a valid internationalised name";
                return false;
            }

            name = ascii;
        }

        name = name.ToLowerInvariant();
        problem = Validate(name);
        if (problem.Length != 0)
        {
            return false;
        }

        normalized = name;
        return true;
    }

    private static bool IsAscii(string text)
    {
        foreach (var c in text)
        {
            if (c > 0x7f)
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryIdnToAscii(string name, [NotNullWhen(true)] out string? ascii)
    {
        ascii = null;
        try
        {
            // Round-tripping through Unicode also rejects xn-- labels that are not valid punycode.
            var idn = new IdnMapping { AllowUnassigned = false, UseStd3AsciiRules = false };
            ascii = idn.GetAscii(idn.GetUnicode(idn.GetAscii(name)));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string Validate(string name)
    {
        if (name.Length == 0)
        {
            return "the name is empty";
        }

        if (name.Length > MaxLength)
        {
            return $"the name is longer than {MaxLength} characters";
        }

        var labelStart = 0;
        for (var i = 0; i <= name.Length; i++)
        {
            if (i < name.Length && name[i] != '.')
            {
                var c = name[i];
                if (!(c is >= 'a' and <= 'z' || c is >= '0' and <= '9' || c == '-' || c == '_'))
                {
                    return $"it contains '{(char.IsControl(c) ? '?' : c)}', which DNS names cannot";
                }

                continue;
            }

            var length = i - labelStart;
            if (length == 0)
            {
                return "it has an empty label";
            }

            if (length > MaxLabelLength)
            {
                return $"a label is longer than {MaxLabelLength} characters";
            }

            if (name[labelStart] == '-' || name[i - 1] == '-')
            {
                return "a label starts or ends with '-'";
            }

            labelStart = i + 1;
        }

        return "";
    }
}
