using BuildSentry.Cli;

namespace BuildSentry.Tests.Cli;

/// <summary>Runs the real command tree in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = BuildSentryCli.Run(args, output, error);
        return (exitCode, output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal), error.ToString());
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "BuildSentry.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"BuildSentry.sln not found above {AppContext.BaseDirectory}");
    }
}
