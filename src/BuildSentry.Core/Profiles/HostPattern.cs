using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace BuildSentry.Core.Profiles;

/// <summary>
/// A host name as written in a profile: exact (<c>github.com</c>) or a wildcard (<c>*.github.com</c>)
/// that covers every subdomain at any depth, but never the parent itself.
/// </summary>
public sealed record HostPattern(string Name, bool IsWildcard)
{
    /// <summary>True when a normalised name is covered by this pattern.</summary>
    public bool Matches(string normalizedName) =>
        IsWildcard
            ? normalizedName.Length > Name.Length + 1
              && normalizedName.EndsWith(Name, StringComparison.Ordinal)
              && normalizedName[^(Name.Length + 1)] == '.'
            : string.Equals(normalizedName, Name, StringComparison.Ordinal);

    public override string ToString() => IsWildcard ? "*." + Name : Name;

    public static bool TryParse(
        string text,
        [NotNullWhen(true)] out HostPattern? pattern,
        out string error,
        out string? hint)
    {
        pattern = null;
        hint = null;
        var wildcard = text.StartsWith("*.", StringComparison.Ordinal);
        var rest = wildcard ? text[2..] : text;
        if (TryExplainMisuse(text, rest, out error, out hint))
        {
            return false;
        }

        if (!HostName.TryNormalize(rest, out var name, out var problem))
        {
            error = $"'{text}' is not a valid host name: {problem}";
            return false;
        }

        if (wildcard && !name.Contains('.', StringComparison.Ordinal))
        {
            error = $"'{text}' covers a whole top-level domain";
            hint = $"name the domain, e.g. '*.example.{name}'";
            return false;
        }

        pattern = new HostPattern(name, wildcard);
        return true;
    }

    private static bool TryExplainMisuse(string text, string rest, out string error, out string? hint)
    {
        hint = null;
        error = "";
        if (text == "*")
        {
            error = "a bare '*' would allow every host";
            hint = "list the hosts the build needs";
        }
        else if (rest.Contains('*', StringComparison.Ordinal))
        {
            error = $"'{text}' is not a valid wildcard: '*' is allowed only as the whole first label";
            hint = text.StartsWith('*') && !text.StartsWith("*.", StringComparison.Ordinal)
                ? $"write '*.{text.TrimStart('*').TrimStart('.')}' for its subdomains"
                : "write '*.example.com' to allow every subdomain of example.com";
        }
        else if (text.Contains("://", StringComparison.Ordinal) || text.Contains('/', StringComparison.Ordinal))
        {
            error = $"'{text}' is a URL or path, not a host name";
            hint = "write only the host, e.g. 'github.com'; use 'cidr' for address ranges";
        }
        else if (IPAddress.TryParse(rest, out _) && (rest.Contains(':', StringComparison.Ordinal) || IsDottedQuad(rest)))
        {
            error = $"'{text}' is an IP address, not a host name";
            hint = $"use a map: {{ cidr: {rest}{(rest.Contains(':', StringComparison.Ordinal) ? "/128" : "/32")} }}";
        }
        else if (rest.Contains(':', StringComparison.Ordinal))
        {
            error = $"'{text}' is not a host name";
            hint = $"ports go in a map: {{ host: {text[..text.IndexOf(':', StringComparison.Ordinal)]}, ports: [443] }}";
        }

        return error.Length != 0;
    }

    internal static bool IsDottedQuad(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));
    }
}
