namespace BuildSentry.Testing;

/// <summary>Finds the checkout the tests run from, so they can reach scripts/ and profiles/.</summary>
public static class RepositoryRoot
{
    private const string Marker = "BuildSentry.sln";

    public static string Path { get; } = Find(AppContext.BaseDirectory);

    internal static string Find(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, Marker)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No {Marker} in {start} or any directory above it.");
    }
}
