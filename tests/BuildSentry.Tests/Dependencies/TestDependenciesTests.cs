using System.Text.RegularExpressions;
using BuildSentry.Tests.Cli;
using Xunit.Abstractions;

namespace BuildSentry.Tests.Dependencies;

/// <summary>
/// A fresh machine with nothing but the .NET SDK runs the suite with "sudo scripts/test.sh", which installs
/// DEPS_PACKAGES (scripts/deps.sh) and nothing else: every program the suite runs must come from one of them,
/// from what they depend on, from publish_daemon's packages, or from an Essential package.
/// </summary>
public sealed partial class TestDependenciesTests(ITestOutputHelper output)
{
    private const string SearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    // Present before scripts/deps.sh can run, and not from a package it could install.
    private static readonly Dictionary<string, string> Given = new()
    {
        ["dotnet"] = "the .NET SDK, the one thing a fresh machine is assumed to have",
        ["apt-get"] = "apt, which scripts/deps.sh installs the packages with",
        ["buildsentry"] = "the daemon under test: publish_daemon builds it, and the runner hook tests put it on the hooks' PATH",
    };

    private static readonly string Root = CliRunner.RepositoryRoot();

    [Fact]
    public void Every_program_the_suite_runs_comes_from_a_package_that_scripts_deps_sh_installs_or_an_essential_package()
    {
        var dpkg = DebianPackages.Load();
        var deps = DepsPackages();
        var allowed = dpkg.WithDependencies([.. deps, .. PublishPackages(), .. Essential(dpkg)]);
        var problems = new List<string>();
        foreach (var (program, where) in Programs())
        {
            if (Given.TryGetValue(Path.GetFileName(program), out var reason))
            {
                output.WriteLine($"{program}: given ({reason})");
                continue;
            }

            if (Resolve(program) is not { } path)
            {
                problems.Add($"{program} (run by {where}) is not installed on this machine, so scripts/deps.sh does not install it: " +
                    "add the Debian package that provides it to DEPS_PACKAGES");
                continue;
            }

            var owners = DebianPackages.Owners(path);
            var verdict = owners.Count == 0 ? "no Debian package owns it"
                : owners.FirstOrDefault(deps.Contains) is { } listed ? $"{listed} is in DEPS_PACKAGES"
                : owners.FirstOrDefault(dpkg.IsEssential) is { } essential ? $"{essential} is Essential"
                : owners.FirstOrDefault(allowed.Contains) is { } pulled ? $"{pulled} comes with DEPS_PACKAGES, publish_daemon or an Essential package"
                : null;
            output.WriteLine($"{program} -> {path} ({string.Join(", ", owners)}): {verdict ?? "NOT INSTALLED BY scripts/deps.sh"}");
            if (verdict is null || owners.Count == 0)
            {
                problems.Add($"{program} (run by {where}) is {path} from {string.Join(", ", owners.DefaultIfEmpty("no package"))}, " +
                    "which DEPS_PACKAGES neither lists nor pulls in and which is not Essential: add it to DEPS_PACKAGES");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_scan_finds_the_programs_the_suite_is_known_to_run()
    {
        var found = Programs().Select(p => Path.GetFileName(p.Program)).ToHashSet();

        Assert.Superset(
            new HashSet<string> { "ip", "curl", "dig", "rsyslogd", "dnsmasq", "socat", "setpriv", "python3", "openssl", "gcc", "iptables-legacy", "kill", "groupadd", "sleep", "mount" },
            found);
        Assert.True(found.Count >= 30, $"only {found.Count} programs found: {string.Join(' ', found.Order())}");
    }

    [Fact]
    public void Every_process_a_test_starts_names_its_program_where_the_scan_reads_it()
    {
        var unread = new List<string>();
        foreach (var path in LaunchedPrograms.TestSources(Root).Except(LaunchedPrograms.Helpers))
        {
            var source = File.ReadAllText(Path.Combine(Root, path));
            foreach (Match launch in LaunchedPrograms.RawLaunch().Matches(source))
            {
                // Process.Start(info) starts a ProcessStartInfo made elsewhere, and that is checked where it is made.
                var arguments = CSharpArguments.Read(source, launch.Index + launch.Length - 1);
                var startsInfo = launch.Value.StartsWith("Process", StringComparison.Ordinal) && arguments.Count == 1;
                if (arguments is not [{ Value: not null }, ..] && !startsInfo)
                {
                    unread.Add($"{path}:{LaunchedPrograms.Line(source, launch.Index)}");
                }
            }
        }

        Assert.True(unread.Count == 0,
            "these start a program the scan cannot name (not a literal): start it through a helper in LaunchedPrograms.Helpers, " +
            $"or make that helper one: {string.Join(", ", unread)}");
    }

    private static List<LaunchedProgram> Programs()
    {
        var builtins = DebianPackages.Run("bash", "-c", "compgen -b; compgen -k").Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        return LaunchedPrograms.Find(Root, builtins).DistinctBy(p => p.Program).ToList();
    }

    private static string? Resolve(string program) =>
        program.StartsWith('/')
            ? File.Exists(program) ? program : null
            : SearchPath.Split(':').Select(directory => Path.Combine(directory, program)).FirstOrDefault(File.Exists);

    private static HashSet<string> DepsPackages()
    {
        var listed = DebianPackages.Run("bash", "-c", $"cd '{Root}' && source scripts/deps.sh && printf '%s\\n' \"${{DEPS_PACKAGES[@]}}\"");
        var packages = listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        Assert.Contains("iproute2", packages);
        return packages;
    }

    /// <summary>publish_daemon (run by scripts/test.sh) installs its own packages: ensure_packages with literal names.</summary>
    private static IEnumerable<string> PublishPackages() =>
        EnsurePackagesCall().Matches(File.ReadAllText(Path.Combine(Root, "scripts", "deps.sh")))
            .SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static IEnumerable<string> Essential(DebianPackages dpkg) =>
        DebianPackages.Run("dpkg-query", "-W", "-f=${Package}\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(dpkg.IsEssential);

    [GeneratedRegex(@"^\s*ensure_packages((?: [a-z0-9][a-z0-9.+-]+)+)\s*$", RegexOptions.Multiline)]
    private static partial Regex EnsurePackagesCall();
}
