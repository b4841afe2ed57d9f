using BuildSentry.Cli;

namespace BuildSentry;

internal static class Program
{
    public static int Main(string[] args) => BuildSentryCli.Run(args, Console.Out, Console.Error);
}
