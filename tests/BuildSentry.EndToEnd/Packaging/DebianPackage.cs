using BuildSentry.Testing;

namespace BuildSentry.EndToEnd.Packaging;

/// <summary>
/// The packages packaging/build-deb.sh makes from the published daemon (the one the other end-to-end tests run), built
/// once for the tests that share it.
/// </summary>
public sealed class DebianPackage : IAsyncLifetime
{
    public string Version { get; } = PropsVersion();

    public string Directory => Path.Combine(RepositoryRoot.Path, "artifacts", "deb");

    public string Deb => Path.Combine(Directory, $"buildsentry_{Version}_{Architecture}.deb");

    public string Dbgsym => Path.Combine(Directory, $"buildsentry-dbgsym_{Version}_{Architecture}.deb");

    /// <summary>What build-deb.sh printed, lintian's findings included; null until built.</summary>
    public CommandResult? Build { get; private set; }

    private static string Architecture => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        var other => other.ToString().ToLowerInvariant(),
    };

    public async Task InitializeAsync()
    {
        Requirements.Root();
        Requirements.Tool("readelf", "binutils");
        _ = DaemonProcess.Binary;
        Build = await Command.RunAsync("bash", [Path.Combine(RepositoryRoot.Path, "packaging", "build-deb.sh"), "--no-build"],
            TimeSpan.FromMinutes(10));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The packages as build-deb.sh left them; a failed build fails the test that needs them, with its output.</summary>
    public string Built() => Build is { Succeeded: true } ? Deb : throw new InvalidOperationException($"build-deb.sh failed: {Build}");

    private static string PropsVersion()
    {
        var props = System.Xml.Linq.XDocument.Load(Path.Combine(RepositoryRoot.Path, "Directory.Build.props"));
        return props.Descendants("Version").Single().Value;
    }
}
