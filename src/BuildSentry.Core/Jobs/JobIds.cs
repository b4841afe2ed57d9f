using System.Text;

namespace BuildSentry.Core.Jobs;

/// <summary>Builds job ids that are safe as file names and in log lines, whatever the job's environment holds.</summary>
public static class JobIds
{
    public const int MaxLength = 128;

    public static string Create(string ciSystem, params ReadOnlySpan<string?> parts)
    {
        var builder = new StringBuilder(ciSystem.Length + 32);
        Append(builder, ciSystem);
        foreach (var part in parts)
        {
            if (string.IsNullOrEmpty(part))
            {
                continue;
            }

            builder.Append('-');
            Append(builder, part);
        }

        return builder.Length <= MaxLength ? builder.ToString() : builder.ToString(0, MaxLength);
    }

    private static void Append(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' ? c : '_');
        }
    }
}
