using System.Text.RegularExpressions;

namespace BuildSentry.Tests.Dependencies;

/// <summary>
/// Finds the programs the test suite runs, without running it. In tests/**/*.cs: the calls that start a process,
/// directly or through the suite's helpers, read as argument vectors (<see cref="ArgvLaunchers"/>) or as shell
/// scripts (<see cref="ScriptLaunchers"/>); a name passed for a literal is looked up as a constant or local.
/// In the scripts the suite runs (<see cref="Scripts"/>): every simple command.
/// </summary>
internal static partial class LaunchedPrograms
{
    /// <summary>scripts/test.sh runs the suite; it and the lab (NetworkLab runs lab.sh) source deps.sh; lab jobs run www/helper.sh.</summary>
    public static readonly string[] Scripts = ["scripts/test.sh", "scripts/deps.sh", "scripts/lab.sh", "scripts/lab/www/helper.sh"];

    /// <summary>
    /// Calls whose arguments, literals in order, are a program and its arguments. Command, ChildProcess, Processes
    /// and the unqualified Run are the suite's helpers; Requirements.Tool and FindOnPath name a program a test needs.
    /// </summary>
    [GeneratedRegex(@"\b(?:Command\.(?:Start|RunAsync)|ChildProcess\.RunAsync|Processes\.Start|StartWithPid|new ChildProcess|new ProcessStartInfo|Process\.Start|StartJob|Requirements\.Tool|FindOnPath)(?=\()|(?<![\w.])Run(?=\()|\bLauncher\s*=\s*(?=\[)")]
    private static partial Regex ArgvLaunchers();

    /// <summary>Calls whose string arguments are scripts for /bin/sh -c.</summary>
    [GeneratedRegex(@"\b(?:Processes\.Run|new ProcessTree|ProcessTree\.Gated|BuildJob\.Start)(?=\()")]
    private static partial Regex ScriptLaunchers();

    /// <summary>The raw ways to start a process; <see cref="Helpers"/> are the files allowed to start one whose name is not a literal.</summary>
    [GeneratedRegex(@"\b(?:Process\.Start|new ProcessStartInfo)\(")]
    public static partial Regex RawLaunch();

    /// <summary>Launch helpers: their callers are what <see cref="ArgvLaunchers"/> and <see cref="ScriptLaunchers"/> read.</summary>
    public static readonly string[] Helpers =
    [
        "tests/BuildSentry.Testing/Command.cs",
        "tests/BuildSentry.Tests/Control/ChildProcess.cs",
        "tests/BuildSentry.Linux.Tests/Support/Processes.cs",
        "tests/BuildSentry.Linux.Tests/Attribution/ChildProcess.cs",
        "tests/BuildSentry.Linux.Tests/Attribution/FlowOwnerResolverTests.cs",
        "tests/BuildSentry.Linux.Tests/Attribution/NatAttributionTests.cs",
    ];

    public static IEnumerable<string> TestSources(string root) =>
        Directory.EnumerateFiles(Path.Combine(root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Where(path => !path.Contains("/obj/", StringComparison.Ordinal) && !path.Contains("/bin/", StringComparison.Ordinal)
                && !path.StartsWith("tests/BuildSentry.Tests/Dependencies/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    public static List<LaunchedProgram> Find(string root, IReadOnlySet<string> shellBuiltins)
    {
        var sources = TestSources(root).ToDictionary(path => path, path => File.ReadAllText(Path.Combine(root, path)));
        var scripts = Scripts.ToDictionary(path => path, path => File.ReadAllText(Path.Combine(root, path)));
        var functions = scripts.Values.SelectMany(text => FunctionDefinition().Matches(text).Select(m => m.Groups[1].Value)).ToHashSet();
        var programs = new CommandPrograms(shellBuiltins, functions);
        var found = new List<LaunchedProgram>();

        foreach (var (path, source) in sources)
        {
            foreach (Match call in ArgvLaunchers().Matches(source))
            {
                // An unqualified Run(...) is a launcher only in the helper file that defines it as one.
                if (call.Value == "Run" && !Helpers.Contains(path))
                {
                    continue;
                }

                var argv = CSharpArguments.Read(source, call.Index + call.Length).Select(a => Word(a, source, sources)).ToList();
                // Requirements.Tool names a program and then its Debian package, which is no argument of the program.
                if (call.Value == "Requirements.Tool")
                {
                    argv = argv.Take(1).ToList();
                }

                found.AddRange(programs.OfExec(argv).Select(p => new LaunchedProgram(p, $"{path}:{Line(source, call.Index)}")));
            }

            foreach (Match call in ScriptLaunchers().Matches(source))
            {
                var scriptArguments = CSharpArguments.Read(source, call.Index + call.Length).Select(a => Word(a, source, sources)).Where(w => w.Text.Length > 0);
                found.AddRange(scriptArguments.SelectMany(w => programs.OfShellScript(w.Text))
                    .Select(p => new LaunchedProgram(p, $"{path}:{Line(source, call.Index)}")));
            }
        }

        foreach (var (path, text) in scripts)
        {
            found.AddRange(programs.OfShellScript(text).Select(p => new LaunchedProgram(p, path)));
        }

        return found;
    }

    private static ShellWord Word(CSharpArgument argument, string source, IReadOnlyDictionary<string, string> sources)
    {
        if (argument.Code.StartsWith("..", StringComparison.Ordinal))
        {
            return ShellWord.Spread;
        }

        if (argument.Value is { } value)
        {
            return new ShellWord(value, value.Contains(CSharpArguments.Hole, StringComparison.Ordinal));
        }

        // A name: a local or constant holding a literal (var loop = "..."; const string Tree = "...").
        if (!NamePattern().IsMatch(argument.Code))
        {
            return ShellWord.Unknown;
        }

        var name = argument.Code.Split('.')[^1];
        var declaration = new Regex($@"\b{name}\s*=(?![=>])\s*(?=[$@]*"")");
        IEnumerable<string> candidates = char.IsUpper(name[0]) ? sources.Values.Prepend(source) : [source];
        foreach (var text in candidates)
        {
            if (declaration.Match(text) is { Success: true } match)
            {
                CSharpArguments.SkipLiteral(text, match.Index + match.Length, out var literal);
                return new ShellWord(literal, literal.Contains(CSharpArguments.Hole, StringComparison.Ordinal));
            }
        }

        return ShellWord.Unknown;
    }

    public static int Line(string text, int index) => 1 + text.AsSpan(0, index).Count('\n');

    [GeneratedRegex(@"^\s*(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)", RegexOptions.Multiline)]
    private static partial Regex FunctionDefinition();

    [GeneratedRegex(@"^[A-Za-z_][\w.]*$")]
    private static partial Regex NamePattern();
}
