using BuildSentry.Core.Profiles;

namespace BuildSentry.Profiles;

/// <summary>
/// Reads profile files for the loader: a file path is read as given, a directory yields its
/// <c>*.yaml</c> and <c>*.yml</c> files, recursively, in ordinal path order so every run reports the
/// same thing in the same order. Hidden directories such as <c>.git</c> are skipped.
/// </summary>
internal static class ProfileFiles
{
    /// <summary>Recursive, skipping hidden directories (<c>.git</c>) and what cannot be read.</summary>
    internal static readonly EnumerationOptions Enumeration = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
        MatchType = MatchType.Simple,
    };

    public static IReadOnlyList<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", Enumeration)
                    .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal));
            }
            else
            {
                files.Add(path);
            }
        }

        return files.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Reads each file; one that cannot be read becomes a diagnostic instead of a text.</summary>
    public static (List<ProfileText> Texts, List<ProfileDiagnostic> Problems) Read(IEnumerable<string> files)
    {
        var texts = new List<ProfileText>();
        var problems = new List<ProfileDiagnostic>();
        foreach (var file in files)
        {
            try
            {
                if (new FileInfo(file).Length > ProfileLoader.MaxSourceLength)
                {
                    problems.Add(new ProfileDiagnostic(file, 1, 1, $"the file is larger than {ProfileLoader.MaxSourceLength / 1024} KiB", "split it into several profiles"));
                    continue;
                }

                texts.Add(new ProfileText(file, File.ReadAllText(file)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add(new ProfileDiagnostic(file, 1, 1, $"cannot read the file: {e.Message}", null));
            }
        }

        return (texts, problems);
    }

    /// <summary>Expands, reads and loads paths as one set; <c>Problems</c> holds every unreadable file and every error.</summary>
    public static (ProfileSet Profiles, List<ProfileText> Texts, List<ProfileDiagnostic> Problems) Load(IEnumerable<string> paths)
    {
        var (texts, problems) = Read(Expand(paths));
        var loaded = ProfileLoader.Load(texts);
        problems.AddRange(loaded.Diagnostics);
        return (loaded.Profiles, texts, problems);
    }
}
