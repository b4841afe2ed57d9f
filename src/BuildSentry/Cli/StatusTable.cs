using System.Text.Json;
using System.Text.Json.Nodes;
using BuildSentry.Core.Text;

namespace BuildSentry.Cli;

/// <summary>
/// Renders a status body without knowing its schema: scalars as <c>name: value</c>, objects as
/// name/value lists, arrays of objects as tables. Values (job names, repositories) come from jobs, so
/// they are escaped and cut before they reach a terminal.
/// </summary>
internal static class StatusTable
{
    private const int MaxCell = 60;

    public static void Write(TextWriter output, JsonObject body)
    {
        foreach (var (name, value) in body)
        {
            switch (value)
            {
                case JsonObject section:
                    output.WriteLine($"{Cell(name)}:");
                    WriteRows(output, section.Select(p => new[] { Cell(p.Key), Cell(p.Value) }).ToList());
                    break;
                case JsonArray { Count: 0 }:
                    output.WriteLine($"{Cell(name)}: none");
                    break;
                case JsonArray items when items.All(i => i is JsonObject):
                    output.WriteLine($"{Cell(name)} ({items.Count}):");
                    WriteTable(output, items.Cast<JsonObject>().ToList());
                    break;
                default:
                    output.WriteLine($"{Cell(name)}: {Cell(value)}");
                    break;
            }
        }
    }

    private static void WriteTable(TextWriter output, List<JsonObject> items)
    {
        var columns = items.SelectMany(i => i.Select(p => p.Key)).Distinct(StringComparer.Ordinal).ToList();
        var rows = new List<string[]> { columns.Select(Cell).ToArray() };
        rows.AddRange(items.Select(item => columns.Select(c => Cell(item[c])).ToArray()));
        WriteRows(output, rows);
    }

    private static void WriteRows(TextWriter output, List<string[]> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            output.WriteLine("  " + string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
    }

    private static string Cell(JsonNode? node) => node switch
    {
        null => "-",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => Cell(value.GetValue<string>()),
        _ => Cell(node.ToJsonString()),
    };

    private static string Cell(string text) => SafeText.Truncate(SafeText.Escape(text), MaxCell);
}
