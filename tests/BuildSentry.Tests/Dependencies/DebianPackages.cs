using System.Diagnostics;

namespace BuildSentry.Tests.Dependencies;

/// <summary>What dpkg knows about this machine: installed packages, which are Essential, what each depends on, who owns a file.</summary>
internal sealed class DebianPackages
{
    private readonly Dictionary<string, (bool Essential, string[][] Depends)> _installed = [];
    private readonly Dictionary<string, List<string>> _providers = [];

    private DebianPackages()
    {
        var listing = Run("dpkg-query", "-W", "-f=${db:Status-Abbrev}\t${Package}\t${Essential}\t${Provides}\t${Pre-Depends}, ${Depends}\n");
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            if (!fields[0].StartsWith("ii", StringComparison.Ordinal))
            {
                continue;
            }

            var depends = fields[4].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(group => group.Split('|').Select(PackageName).ToArray()).ToArray();
            _installed[fields[1]] = (fields[2] == "yes", depends);
            foreach (var provided in fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(PackageName))
            {
                (_providers.TryGetValue(provided, out var list) ? list : _providers[provided] = []).Add(fields[1]);
            }
        }
    }

    public static DebianPackages Load() => new();

    public bool IsEssential(string package) => _installed.TryGetValue(package, out var p) && p.Essential;

    /// <summary>
    /// The installed packages that come with <paramref name="roots"/>: the roots and, transitively, whatever
    /// satisfies their Depends and Pre-Depends here (Recommends are not installed by scripts/deps.sh).
    /// </summary>
    public HashSet<string> WithDependencies(IEnumerable<string> roots)
    {
        var closure = new HashSet<string>();
        var pending = new Stack<string>(roots);
        while (pending.TryPop(out var package))
        {
            if (!_installed.TryGetValue(package, out var info) || !closure.Add(package))
            {
                continue;
            }

            foreach (var alternative in info.Depends.SelectMany(group => group))
            {
                pending.Push(alternative);
                foreach (var provider in _providers.GetValueOrDefault(alternative, []))
                {
                    pending.Push(provider);
                }
            }
        }

        return closure;
    }

    /// <summary>
    /// The packages that own <paramref name="path"/>. With merged /usr, dpkg may know a file by its /bin or its
    /// /usr/bin name, and a link by its own path or its target's, so each of those is asked.
    /// </summary>
    public static IReadOnlyList<string> Owners(string path)
    {
        var real = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        string[] candidates = [path, real, .. Merged(path), .. Merged(real)];
        foreach (var candidate in candidates.Distinct())
        {
            var (exitCode, output) = TryRun("dpkg-query", "-S", candidate);
            if (exitCode == 0)
            {
                return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Where(line => !line.StartsWith("diversion", StringComparison.Ordinal))
                    .SelectMany(line => line[..line.LastIndexOf(": ", StringComparison.Ordinal)].Split(',', StringSplitOptions.TrimEntries))
                    .Select(PackageName).Distinct().ToList();
            }
        }

        return [];
    }

    private static IEnumerable<string> Merged(string path)
    {
        foreach (var directory in new[] { "/bin/", "/sbin/" })
        {
            if (path.StartsWith(directory, StringComparison.Ordinal))
            {
                yield return "/usr" + path;
            }
            else if (path.StartsWith("/usr" + directory, StringComparison.Ordinal))
            {
                yield return path["/usr".Length..];
            }
        }
    }

    // "libc6:amd64 (>= 2.34)" -> "libc6"
    private static string PackageName(string text) => text.Trim().Split(' ', '(')[0].Split(':')[0];

    public static string Run(string fileName, params string[] arguments)
    {
        var (exitCode, output) = TryRun(fileName, arguments);
        return exitCode == 0 ? output : throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {exitCode}");
    }

    private static (int ExitCode, string Output) TryRun(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        _ = error.GetAwaiter().GetResult();
        return (process.ExitCode, output);
    }
}
