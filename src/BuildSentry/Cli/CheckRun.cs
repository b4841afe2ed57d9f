using BuildSentry.Core.Profiles;
using BuildSentry.Profiles;

namespace BuildSentry.Cli;

/// <summary>Runs one <c>check</c>: everything it prints goes to standard output except usage errors.</summary>
internal sealed class CheckRun(TextWriter output, TextWriter error, CheckRequest request)
{
    public int Execute()
    {
        var files = ProfileFiles.Expand(request.Paths);
        if (files.Count == 0)
        {
            output.WriteLine("error: no profile files (*.yaml, *.yml) found");
            return ExitCodes.Failure;
        }

        var (texts, problems) = ProfileFiles.Read(files);
        var result = ProfileLoader.Load(texts);
        var diagnostics = problems.Concat(result.Diagnostics).ToList();

        if (request.Profile is null)
        {
            return Summarise(files.Count, result.Profiles, diagnostics);
        }

        if (diagnostics.Count > 0)
        {
            diagnostics.ForEach(output.WriteLine);
            output.WriteLine($"cannot answer: the profiles have {Plural(diagnostics.Count, "error")}");
            return ExitCodes.Failure;
        }

        if (!result.Profiles.TryGet(request.Profile, out var profile))
        {
            var known = result.Profiles.Profiles.Select(p => p.Name).ToArray();
            error.WriteLine($"error: no profile is named '{request.Profile}' (hint: {Suggestions(request.Profile, known)})");
            return ExitCodes.Usage;
        }

        return request.AsksQuestion ? Answer(profile) : ProfileReport.Write(output, profile);
    }

    private int Summarise(int fileCount, ProfileSet profiles, List<ProfileDiagnostic> diagnostics)
    {
        foreach (var profile in profiles.Profiles)
        {
            output.WriteLine(ProfileReport.SummaryLine(profile, profile == profiles.Default));
        }

        diagnostics.ForEach(output.WriteLine);
        output.WriteLine(
            $"checked {Plural(fileCount, "file")}: {Plural(profiles.Profiles.Count, "valid profile")}, {Plural(diagnostics.Count, "error")}"
            + (profiles.Default is null ? "; no profile named 'default' for jobs nothing matches" : ""));
        return diagnostics.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    private int Answer(ResolvedProfile profile)
    {
        var allowed = true;
        if (request.Host is not null || request.Address is not null)
        {
            var names = request.Host is null ? Array.Empty<string>() : [request.Host];
            var verdict = profile.EvaluateConnection(names, request.Address, request.Port, request.Protocol);
            output.WriteLine(verdict);
            allowed &= verdict.Allowed;
        }

        if (request.DnsName is not null)
        {
            var verdict = profile.EvaluateDnsQuery(request.DnsName);
            output.WriteLine(verdict);
            allowed &= verdict.Allowed;
        }

        if (request.Process is not null)
        {
            var isPath = request.Process.Contains('/', StringComparison.Ordinal);
            var verdict = profile.EvaluateProcess(isPath ? request.Process : "/" + request.Process, null);
            output.WriteLine(verdict);
            allowed &= verdict.Allowed;
        }

        return allowed ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static string Suggestions(string name, string[] known) =>
        known.Length == 0 ? "no profile was loaded" : $"known profiles: {string.Join(", ", known)}";

    internal static string Plural(int count, string noun, string? plural = null) =>
        count == 1 ? $"1 {noun}" : $"{count} {plural ?? noun + "s"}";
}
