using System.Text;

namespace BuildSentry.Testing;

/// <summary>Parses CEF the way a SIEM does: seven unescaped pipes, then key=value pairs split at unescaped '='.</summary>
public static class CefParser
{
    public sealed record Record(string Vendor, string Product, string Version, string SignatureId, string Name, int Severity,
        IReadOnlyDictionary<string, string> Extensions);

    public static Record Parse(string line)
    {
        var header = new List<string>();
        var current = new StringBuilder();
        var i = 0;
        for (; i < line.Length && header.Count < 7; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '|' or '\\')
            {
                current.Append(line[++i]);
            }
            else if (line[i] == '|')
            {
                header.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(line[i]);
            }
        }

        if (header.Count != 7 || header[0] != "CEF:0")
        {
            throw new FormatException("bad CEF header");
        }

        return new Record(header[1], header[2], header[3], header[4], header[5], int.Parse(header[6]), Extensions(line[i..]));
    }

    private static Dictionary<string, string> Extensions(string text)
    {
        // Keys are the words before an unescaped '='; a value runs until the space before the next key.
        var pairs = new Dictionary<string, string>();
        var equals = new List<int>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '=')
            {
                equals.Add(i);
            }
        }

        for (var k = 0; k < equals.Count; k++)
        {
            var keyStart = text.LastIndexOf(' ', equals[k]) + 1;
            var valueEnd = k + 1 < equals.Count ? text.LastIndexOf(' ', equals[k + 1]) : text.Length;
            var key = text[keyStart..equals[k]];
            var raw = text[(equals[k] + 1)..valueEnd];
            if (!pairs.TryAdd(key, Unescape(raw)))
            {
                throw new FormatException($"duplicate CEF key {key}");
            }
        }

        return pairs;
    }

    private static string Unescape(string raw)
    {
        var sb = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 1 < raw.Length)
            {
                i++;
            }

            sb.Append(raw[i]);
        }

        return sb.ToString();
    }
}
