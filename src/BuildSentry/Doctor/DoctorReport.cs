using System.Text.Json.Nodes;
using BuildSentry.Core.Text;

namespace BuildSentry.Doctor;

/// <summary>The checks as lines for a person (status, name, what was found, then what to do) or as JSON.</summary>
internal static class DoctorReport
{
    public static bool Passed(IReadOnlyList<DoctorCheck> checks) => checks.All(c => c.Status != CheckStatus.Fail);

    public static void WriteText(TextWriter output, IReadOnlyList<DoctorCheck> checks)
    {
        var width = checks.Max(c => c.Name.Length);
        foreach (var check in checks)
        {
            var status = check.Status switch { CheckStatus.Ok => "ok", CheckStatus.Warn => "WARN", _ => "FAIL" };
            output.WriteLine($"{status,-5} {SafeText.Escape(check.Name).PadRight(width)}  {SafeText.Escape(check.Detail)}");
            if (check.Fix is { } fix)
            {
                output.WriteLine($"{"",-5} {"".PadRight(width)}  -> {SafeText.Escape(fix)}");
            }
        }

        var failures = checks.Count(c => c.Status == CheckStatus.Fail);
        output.WriteLine(failures == 0
            ? $"\nEverything the configured mode needs works ({checks.Count(c => c.Status == CheckStatus.Warn)} warning(s))."
            : $"\n{failures} check(s) failed: the configured mode does not fully work on this host.");
    }

    public static void WriteJson(TextWriter output, IReadOnlyList<DoctorCheck> checks)
    {
        var list = new JsonArray();
        foreach (var check in checks)
        {
            list.Add((JsonNode)new JsonObject
            {
                ["name"] = check.Name,
                ["status"] = check.Status.ToString().ToLowerInvariant(),
                ["detail"] = check.Detail,
                ["fix"] = check.Fix,
            });
        }

        output.WriteLine(new JsonObject { ["ok"] = Passed(checks), ["checks"] = list }.ToJsonString());
    }
}
