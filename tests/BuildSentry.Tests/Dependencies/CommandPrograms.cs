using System.Text.RegularExpressions;

namespace BuildSentry.Tests.Dependencies;

/// <summary>
/// The programs a command line runs: its first word, and what wrappers (setpriv, unshare, xargs, ip netns exec,
/// sh -c ...) run in turn. Shell commands first drop keywords, assignments, builtins and the script's own
/// functions, which exec nothing.
/// </summary>
internal sealed partial class CommandPrograms(IReadOnlySet<string> shellBuiltins, IReadOnlySet<string> shellFunctions)
{
    private static readonly HashSet<string> Shells = ["sh", "bash", "dash"];

    // Each runs the command that follows its own options (or "--").
    private static readonly HashSet<string> Wrappers =
        ["setpriv", "unshare", "nsenter", "nohup", "setsid", "env", "timeout", "xargs", "nice", "chrt", "taskset", "sudo"];

    private static readonly HashSet<string> Prefixes = ["if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "fi", "done", "esac", "time"];

    // These take the rest of the command as data, not as a command.
    private static readonly HashSet<string> Compounds = ["for", "case", "select", "[[", "function", "in"];

    public IEnumerable<string> OfShellScript(string script) =>
        ShellScriptParser.Commands(script).SelectMany(OfShellCommand);

    public IEnumerable<string> OfShellCommand(IReadOnlyList<ShellWord> words)
    {
        var i = 0;
        while (i < words.Count && !words[i].Dynamic && (Prefixes.Contains(words[i].Text) || IsAssignment(words[i].Text)))
        {
            i++;
        }

        if (i == words.Count || words[i].Dynamic || Compounds.Contains(words[i].Text))
        {
            return [];
        }

        return words[i].Text switch
        {
            "exec" => OfExec(words.Skip(i + 1).ToList()),
            // "command -v X" asks whether X is installed: the script needs X.
            "command" when words.Count > i + 2 && words[i + 1].Text == "-v" => OfExec([words[i + 2]]).Take(1),
            "command" => OfExec(words.Skip(i + 1).ToList()),
            var name when shellBuiltins.Contains(name) || shellFunctions.Contains(name) => [],
            _ => OfExec(words.Skip(i).ToList()),
        };
    }

    /// <summary>The programs of an argument vector handed to exec (no shell in between).</summary>
    public IEnumerable<string> OfExec(IReadOnlyList<ShellWord> argv)
    {
        if (argv.Count == 0 || argv[0].Dynamic || !IsProgram(argv[0].Text))
        {
            yield break;
        }

        var program = argv[0].Text;
        yield return program;
        var name = Path.GetFileName(program);
        var rest = argv.Skip(1).ToList();
        var inner = Enumerable.Empty<string>();
        if (Shells.Contains(name) && rest.FindIndex(w => w.Text == "-c") is >= 0 and var c && c + 1 < rest.Count)
        {
            // A C# hole in the script is a dynamic word, but its literal text is still the script.
            inner = OfShellScript(rest[c + 1].Text);
        }
        else if (name == "ip" && rest is [{ Text: "netns" }, { Text: "exec" }, _, ..])
        {
            inner = OfExec(rest.Skip(3).ToList());
        }
        else if (Wrappers.Contains(name))
        {
            // The wrapped program is the first word that is no option (nor an option's number, nor env's NAME=value).
            var separator = rest.FindIndex(w => w.Text == "--");
            var wrapped = separator >= 0 ? separator + 1 : rest.FindIndex(w => w != ShellWord.Spread && !IsOption(w.Text) && !(name == "env" && IsAssignment(w.Text)));
            inner = wrapped >= 0 ? OfExec(rest.Skip(wrapped).ToList()) : [];
        }

        foreach (var wrappedProgram in inner)
        {
            yield return wrappedProgram;
        }
    }

    public static bool IsProgram(string word) => ProgramPattern().IsMatch(word) && !word.All(ch => char.IsAsciiDigit(ch) || ch == '.');

    private static bool IsAssignment(string word) => AssignmentPattern().IsMatch(word);

    private static bool IsOption(string word) => word.StartsWith('-') || (word.Length > 0 && word.All(ch => char.IsAsciiDigit(ch) || ch == '.'));

    [GeneratedRegex(@"^(/[\w.+-]+)+$|^[A-Za-z_][\w.+-]*$")]
    private static partial Regex ProgramPattern();

    [GeneratedRegex(@"^[A-Za-z_]\w*(\[[^\]]*\])?\+?=")]
    private static partial Regex AssignmentPattern();
}
