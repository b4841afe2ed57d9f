using System.Globalization;

namespace BuildSentry.Control;

/// <summary>
/// Group lookups without NSS: names from /etc/group (a group that exists only in LDAP must be given as
/// a number), and a process's supplementary groups from the <c>Groups:</c> line of /proc/PID/status.
/// </summary>
internal static class UnixGroups
{
    /// <summary>Resolves a group name or a decimal gid; null when the file has no such group.</summary>
    public static uint? ResolveGid(string nameOrId, string groupFile)
    {
        if (uint.TryParse(nameOrId, NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
        {
            return gid;
        }

        foreach (var line in File.ReadLines(groupFile))
        {
            // name:password:gid:members
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == nameOrId
                && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out gid))
            {
                return gid;
            }
        }

        return null;
    }

    /// <summary>The supplementary gids in a /proc/PID/status text; an empty list when the line is absent or damaged.</summary>
    public static IReadOnlyList<uint> ParseStatusGroups(string statusText)
    {
        foreach (var line in statusText.Split('\n'))
        {
            if (!line.StartsWith("Groups:", StringComparison.Ordinal))
            {
                continue;
            }

            var groups = new List<uint>();
            foreach (var field in line["Groups:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (!uint.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
                {
                    return [];
                }

                groups.Add(gid);
            }

            return groups;
        }

        return [];
    }

    public static IReadOnlyList<uint> ReadProcessGroups(int pid)
    {
        try
        {
            return ParseStatusGroups(File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"));
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
