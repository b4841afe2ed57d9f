using System.Text.RegularExpressions;
using BuildSentry.Testing;

namespace BuildSentry.EndToEnd.Packaging;

/// <summary>What packaging/build-deb.sh puts in the packages, read back with dpkg-deb, readelf and lintian's verdict.</summary>
[Collection(DebianPackageCollection.Name)]
public sealed partial class DebianPackageTests(DebianPackage package) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("buildsentry-deb-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_package_has_the_version_of_Directory_Build_props_and_so_has_its_binary()
    {
        var root = await ExtractAsync(package.Built());

        var version = await Deb("-f", package.Deb, "Version");
        var binary = await Command.RunAsync(Path.Combine(root, "usr/lib/buildsentry/buildsentry"), ["--version"]);

        Assert.Equal(package.Version, version.Trim());
        Assert.Matches($"^{Regex.Escape(package.Version)}(\\+[0-9a-f]+)?$", binary.StandardOutput.Trim());
    }

    [Fact]
    public async Task It_depends_on_libpcap_libbpf_and_procps_and_ships_the_daemon_unit_hooks_profiles_and_man_page()
    {
        var depends = await Deb("-f", package.Built(), "Depends");
        var files = await ContentsAsync(package.Deb);

        Assert.Contains("libpcap0.8", depends, StringComparison.Ordinal);
        Assert.Contains("libbpf1", depends, StringComparison.Ordinal);
        Assert.Contains("procps", depends, StringComparison.Ordinal);
        string[] expected =
        [
            "/usr/lib/buildsentry/buildsentry", "/usr/bin/buildsentry", "/usr/lib/buildsentry/buildsentry.env",
            "/lib/systemd/system/buildsentry.service", "/etc/buildsentry/buildsentry.yaml", "/usr/share/man/man1/buildsentry.1.gz",
            "/usr/share/doc/buildsentry/README.md",
            .. Shipped("packaging/hooks", "*.sh").Select(hook => $"/usr/lib/buildsentry/hooks/{hook}"),
            .. Shipped("profiles", "*.yaml").Select(profile => $"/usr/lib/buildsentry/profiles/{profile}"),
        ];
        Assert.All(expected, file => Assert.Contains(file, files));
    }

    [Fact]
    public async Task The_configuration_and_the_starter_profiles_are_conffiles()
    {
        await ExtractAsync(package.Built());

        var conffiles = File.ReadAllLines(Path.Combine(_directory, "DEBIAN", "conffiles")).Order(StringComparer.Ordinal);

        string[] expected = ["/etc/buildsentry/buildsentry.yaml", .. Shipped("profiles", "*.yaml").Select(p => $"/etc/buildsentry/profiles/{p}")];
        Assert.Equal(expected.Order(StringComparer.Ordinal), conffiles);
    }

    [Fact]
    public async Task The_symbols_are_in_the_dbgsym_package_under_the_build_id_of_the_stripped_binary()
    {
        var root = await ExtractAsync(package.Built());
        Assert.True((await Command.RunAsync("dpkg-deb", ["-x", package.Dbgsym, root])).Succeeded);

        var binary = Path.Combine(root, "usr/lib/buildsentry/buildsentry");
        var buildId = BuildIdPattern().Match(await ReadElfAsync("-n", binary)).Groups[1].Value;
        var debug = Path.Combine(root, "usr/lib/debug/.build-id", buildId[..2], $"{buildId[2..]}.debug");

        Assert.True(File.Exists(debug), $"no {debug}");
        Assert.DoesNotContain(".symtab", await ReadElfAsync("-S", binary), StringComparison.Ordinal);
        Assert.Contains(".debug_info", await ReadElfAsync("-S", debug), StringComparison.Ordinal);
    }

    [Fact]
    public void Lintian_finds_no_error_and_each_warning_it_gives_is_explained_in_packaging_README()
    {
        package.Built();
        var findings = LintianPattern().Matches(package.Build!.StandardOutput).Select(m => (Level: m.Groups[1].Value, Tag: m.Groups[2].Value)).ToList();
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "packaging", "README.md"));

        Assert.DoesNotContain(findings, f => f.Level == "E");
        Assert.All(findings.Where(f => f.Level == "W"), f => Assert.Contains($"`{f.Tag}`", readme, StringComparison.Ordinal));
    }

    private static IEnumerable<string> Shipped(string directory, string pattern) =>
        Directory.GetFiles(Path.Combine(RepositoryRoot.Path, directory), pattern).Select(Path.GetFileName).OfType<string>();

    /// <summary>The package's files and its control files (DEBIAN/) under this test's directory.</summary>
    private async Task<string> ExtractAsync(string deb)
    {
        var extracted = await Command.RunAsync("dpkg-deb", ["-R", deb, _directory]);
        return extracted.Succeeded ? _directory : throw new InvalidOperationException($"dpkg-deb -R {deb}: {extracted}");
    }

    private static async Task<HashSet<string>> ContentsAsync(string deb) =>
        [.. (await Deb("-c", deb)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5].TrimStart('.'))];

    private static async Task<string> Deb(params string[] arguments)
    {
        var result = await Command.RunAsync("dpkg-deb", arguments);
        return result.Succeeded ? result.StandardOutput : throw new InvalidOperationException($"dpkg-deb {string.Join(' ', arguments)}: {result}");
    }

    private static async Task<string> ReadElfAsync(string option, string file)
    {
        var result = await Command.RunAsync("readelf", ["-W", option, file]);
        return result.Succeeded ? result.StandardOutput : throw new InvalidOperationException($"readelf {option} {file}: {result}");
    }

    [GeneratedRegex(@"Build ID: ([0-9a-f]{40})")]
    private static partial Regex BuildIdPattern();

    [GeneratedRegex(@"^([EW]): [^:]+: (\S+)", RegexOptions.Multiline)]
    private static partial Regex LintianPattern();
}
