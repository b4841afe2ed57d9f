using System.Text;
using System.Text.RegularExpressions;

namespace BuildSentry.Testing;

/// <summary>A strict RFC 5424 parser written from the RFC's ABNF, to check our records from the outside.</summary>
public static partial class StrictSyslogParser
{
    public sealed record Message(int Pri, string Timestamp, string Host, string App, string ProcId, string MsgId,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Data, string Msg);

    public static Message Parse(string line)
    {
        if (line.Contains('\n') || line.Contains('\r'))
        {
            throw new FormatException("record contains a line break");
        }

        var header = Header().Match(line);
        if (!header.Success)
        {
            throw new FormatException($"bad header: {line[..Math.Min(80, line.Length)]}");
        }

        var pos = header.Length;
        var data = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        if (line[pos] == '-')
        {
            pos++;
        }
        else
        {
            while (pos < line.Length && line[pos] == '[')
            {
                pos = ParseElement(line, pos + 1, data);
            }
        }

        var msg = "";
        if (pos < line.Length)
        {
            if (line[pos] != ' ')
            {
                throw new FormatException($"expected SP after structured data at {pos}");
            }

            msg = line[(pos + 1)..];
            if (msg.StartsWith('\uFEFF'))
            {
                msg = msg[1..];
            }
        }

        return new Message(int.Parse(header.Groups[1].Value), header.Groups[2].Value, header.Groups[3].Value,
            header.Groups[4].Value, header.Groups[5].Value, header.Groups[6].Value, data, msg);
    }

    private static int ParseElement(string line, int pos, Dictionary<string, IReadOnlyDictionary<string, string>> data)
    {
        var id = ReadName(line, ref pos);
        var parameters = new Dictionary<string, string>();
        while (true)
        {
            if (pos >= line.Length)
            {
                throw new FormatException("unterminated SD element");
            }

            if (line[pos] == ']')
            {
                if (!data.TryAdd(id, parameters))
                {
                    throw new FormatException($"duplicate SD-ID {id}");
                }

                return pos + 1;
            }

            if (line[pos] != ' ')
            {
                throw new FormatException($"expected SP in SD element at {pos}");
            }

            pos++;
            var name = ReadName(line, ref pos);
            if (line[pos] != '=' || line[pos + 1] != '"')
            {
                throw new FormatException($"expected =\" at {pos}");
            }

            pos += 2;
            var value = new StringBuilder();
            while (line[pos] != '"')
            {
                if (line[pos] == '\\' && line[pos + 1] is '"' or '\\' or ']')
                {
                    pos++;
                }
                else if (line[pos] == ']')
                {
                    throw new FormatException($"unescaped ] in value at {pos}");
                }

                value.Append(line[pos++]);
            }

            if (!parameters.TryAdd(name, value.ToString()))
            {
                throw new FormatException($"duplicate parameter {name}");
            }

            pos++;
        }
    }

    private static string ReadName(string line, ref int pos)
    {
        var start = pos;
        while (pos < line.Length && line[pos] is > ' ' and < (char)127 and not '=' and not ']' and not '"')
        {
            pos++;
        }

        if (pos == start || pos - start > 32 && !line[start..pos].Contains('@'))
        {
            throw new FormatException($"bad SD name at {start}");
        }

        return line[start..pos];
    }

    [GeneratedRegex(@"^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)) ([!-~]{1,255}) ([!-~]{1,48}) ([!-~]{1,128}) ([!-~]{1,32}) ")]
    private static partial Regex Header();
}
