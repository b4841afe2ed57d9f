using System.Globalization;
using System.Text.RegularExpressions;

namespace BuildSentry.Testing.Lab;

// What the lab saw: bytes each host received and the DNS queries the resolver answered.
public sealed partial class NetworkLab
{
    private const int BytesField = 3;

    /// <summary>
    /// Application bytes (request lines, headers, bodies; after TLS) that every server of the host
    /// received, over IPv4 and IPv6. Aliases and exfil.test names count towards their primary host.
    /// A server logs an exchange before answering it, so the count is complete once a client has
    /// its response (the sink logs at the client's end of stream).
    /// </summary>
    public long BytesReceivedBy(string host)
    {
        var path = Path.Combine(StateDirectory, "recv", Host(host).PrimaryName + ".log");
        if (!File.Exists(path))
        {
            return 0;
        }

        return ReadShared(path)
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > BytesField)
            .Sum(fields => long.Parse(fields[BytesField], CultureInfo.InvariantCulture));
    }

    /// <summary>Every query the lab resolver received, oldest first.</summary>
    public IReadOnlyList<DnsQuery> DnsQueriesLogged()
    {
        var path = Path.Combine(StateDirectory, "dnsmasq.log");
        if (!File.Exists(path))
        {
            return [];
        }

        return ReadShared(path)
            .Select(line => QueryLine().Match(line))
            .Where(match => match.Success)
            .Select(match => new DnsQuery(match.Groups["type"].Value, match.Groups["name"].Value, match.Groups["client"].Value))
            .ToList();
    }

    // The servers keep appending while tests read.
    private static List<string> ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    // dnsmasq log-queries=extra: "... dnsmasq[42]: 17 198.18.0.1/60381 query[A] evil.test from 198.18.0.1"
    [GeneratedRegex(@"query\[(?<type>[A-Za-z0-9]+)\] (?<name>\S+) from (?<client>\S+)$")]
    private static partial Regex QueryLine();
}
