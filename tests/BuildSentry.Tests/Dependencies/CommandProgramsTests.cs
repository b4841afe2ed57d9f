namespace BuildSentry.Tests.Dependencies;

public sealed class CommandProgramsTests
{
    private static readonly CommandPrograms Programs = new(new HashSet<string> { "echo", "read", "local", "kill", "[" }, new HashSet<string> { "log", "host_lines" });

    [Fact]
    public void A_script_runs_the_programs_behind_wrappers_pipes_substitutions_and_sh_c()
    {
        const string Script = """
            seq 3 | xargs -P 4 -n 1 /bin/true && ip netns exec "$NS" dnsmasq --conf-file=x
            echo "$(dig +short a.test)" >/dev/null 2>&1
            exec unshare --mount -- /bin/sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' x
            command -v iptables-legacy >/dev/null || log "missing"
            """;

        Assert.Equal(["seq", "xargs", "/bin/true", "ip", "dnsmasq", "dig", "unshare", "/bin/sh", "mount", "iptables-legacy"],
            Programs.OfShellScript(Script).ToList());
    }

    [Fact]
    public void Here_documents_case_patterns_arrays_builtins_and_functions_run_no_program()
    {
        const string Script = """
            PACKAGES=(python3
              # a comment (with parentheses)
              socat)
            cat <<USAGE
              up   build the lab
            USAGE
            case $1 in
              up) log "up" ;;
              -h | --help | help) kill -TERM 1 ;;
            esac
            while read -r name _; do local x; done < <(host_lines)
            """;

        Assert.Equal(["cat"], Programs.OfShellScript(Script).ToList());
    }

    [Fact]
    public void An_exec_runs_its_first_word_even_when_a_shell_has_a_builtin_of_that_name()
    {
        var argv = new[] { "kill", "-TERM", "1" }.Select(ShellWord.Literal).ToList();

        Assert.Equal(["kill"], Programs.OfExec(argv).ToList());
    }

    [Fact]
    public void A_wrapper_with_credentials_spread_before_the_program_runs_that_program_and_not_a_later_argument()
    {
        List<ShellWord> socat = [ShellWord.Literal("/usr/bin/setpriv"), ShellWord.Spread, ShellWord.Literal("/usr/bin/socat"), ShellWord.Literal("-")];
        List<ShellWord> unknown = [ShellWord.Literal("/usr/bin/setpriv"), ShellWord.Literal("--clear-groups"), ShellWord.Unknown, ShellWord.Literal("status")];

        Assert.Equal(["/usr/bin/setpriv", "/usr/bin/socat"], Programs.OfExec(socat).ToList());
        Assert.Equal(["/usr/bin/setpriv"], Programs.OfExec(unknown).ToList());
    }
}
