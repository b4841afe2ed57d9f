namespace BuildSentry.Tests.Cli;

/// <summary>A temporary directory of profile files, deleted on dispose.</summary>
internal sealed class TempProfiles : IDisposable
{
    public TempProfiles()
    {
        Directory.CreateDirectory(Path);
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "buildsentry-test-" + Guid.NewGuid().ToString("N"));

    public string Write(string relativePath, string text)
    {
        var file = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
