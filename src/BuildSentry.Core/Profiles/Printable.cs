using System.Text;

namespace BuildSentry.Core.Profiles;

/// <summary>
/// Names and paths in verdicts come from the job, which may be hostile: keep them short and free of
/// control and non-ASCII characters before they reach a reason that ends up in a log line.
/// </summary>
internal static class Printable
{
    private const int MaxLength = 120;

    public static string Of(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "(empty)";
        }

        var builder = new StringBuilder(Math.Min(text.Length, MaxLength + 3));
        foreach (var c in text.Length > MaxLength ? text[..MaxLength] : text)
        {
            builder.Append(c is >= ' ' and < (char)0x7f ? c : '?');
        }

        if (text.Length > MaxLength)
        {
            builder.Append("...");
        }

        return builder.ToString();
    }
}
