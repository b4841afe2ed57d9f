using BuildSentry.Testing;

namespace BuildSentry.EndToEnd;

/// <summary>
/// A runner's side of a hook test: a work directory, the shipped hook scripts, and the environment a runner gives
/// them, with the published <c>buildsentry</c> first on PATH and pointed at the test's daemon.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class RunnerHookSetup : IDisposable
{
    public RunnerHookSetup(DaemonProcess daemon)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("buildsentry-hooks-").FullName;
        System.IO.Directory.CreateDirectory(Bin);
        Environment = new Dictionary<string, string>
        {
            ["PATH"] = $"{Bin}:{Path.GetDirectoryName(DaemonProcess.Binary)}:{System.Environment.GetEnvironmentVariable("PATH")}",
            ["BUILDSENTRY_CONTROL_SOCKET"] = daemon.SocketPath,
        };
    }

    public string Directory { get; }

    /// <summary>First on PATH: the fakes of runner tools a hook calls.</summary>
    public string Bin => Path.Combine(Directory, "bin");

    public Dictionary<string, string> Environment { get; }

    public static string Hook(string name) => Path.Combine(RepositoryRoot.Path, "packaging", "hooks", name);

    public static string RandomId() => Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string Write(string name, string text, bool executable = false)
    {
        var path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        if (executable)
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                       | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
