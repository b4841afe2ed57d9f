using System.Net;

namespace BuildSentry.Testing.Lab;

/// <summary>Reads the hosts file lab.sh writes: "name ipv4 ipv6 primary-name" per line.</summary>
internal static class LabHostsFile
{
    public static IReadOnlyList<LabHost> Read(string path) =>
        File.ReadAllLines(path)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 4)
            .Select(fields => new LabHost(fields[0], IPAddress.Parse(fields[1]), IPAddress.Parse(fields[2]), fields[3]))
            .ToList();
}
