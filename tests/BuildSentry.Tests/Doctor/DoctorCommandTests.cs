using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using BuildSentry.Tests.Cli;
using BuildSentry.Tests.Control;

namespace BuildSentry.Tests.Doctor;

/// <summary>
/// <c>buildsentry doctor</c> on this machine, which has BTF, BPF, cgroup v2 and libpcap: the host's checks pass for
/// real, and the failures are ones made for real (no daemon, a closed alert port, a runner without hooks).
/// </summary>
public sealed class DoctorCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("buildsentry-doctor-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_host_checks_pass_here_and_a_missing_daemon_and_a_closed_alert_port_fail_with_what_to_do()
    {
        Root.Require();
        var closedPort = ClosedPort();
        var config = Config($"""
            alerts:
              targets:
                - {"{"} transport: tcp, address: 127.0.0.1, port: {closedPort} {"}"}
            """);

        var (exitCode, output, _) = CliRunner.Run("doctor", "--config", config, "--github-runner", _directory, "--gitlab-config", Path.Combine(_directory, "none.toml"),
            "--buildkite-hooks", Path.Combine(_directory, "none"));

        Assert.True(exitCode == 1, output);
        var lines = output.Split('\n');
        foreach (var name in new[] { "kernel", "btf", "bpf", "cgroup2", "libpcap", "capabilities" })
        {
            Assert.Contains(lines, l => l.StartsWith($"ok    {name} ", StringComparison.Ordinal));
        }

        Assert.Contains(lines, l => l.StartsWith("FAIL  daemon ", StringComparison.Ordinal) && l.Contains("is the daemon running?", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"FAIL  alert target tcp://127.0.0.1:{closedPort} ", StringComparison.Ordinal) && l.Contains("ConnectionRefused", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("-> systemctl start buildsentry", StringComparison.Ordinal));
    }

    [Fact]
    public void A_listening_alert_target_passes()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var config = Config($"alerts:\n  targets:\n    - {{ transport: tcp, address: 127.0.0.1, port: {port} }}\n");

        var (_, output, _) = CliRunner.Run("doctor", "--config", config, "--json");

        var check = Check(output, $"alert target tcp://127.0.0.1:{port}");
        Assert.Equal("ok", check.GetProperty("status").GetString());
    }

    [Fact]
    public void A_GitHub_runner_whose_env_has_no_hooks_fails_and_is_told_the_lines_to_add()
    {
        File.WriteAllText(Path.Combine(_directory, ".env"), "LANG=C.UTF-8\nPATH=/usr/bin:/bin\n");

        var (_, output, _) = CliRunner.Run("doctor", "--config", Config(""), "--json", "--github-runner", _directory);

        var check = Check(output, $"github runner {_directory}");
        Assert.Equal("fail", check.GetProperty("status").GetString());
        Assert.Contains("ACTIONS_RUNNER_HOOK_JOB_STARTED=/usr/lib/buildsentry/hooks/github-job-started.sh and ACTIONS_RUNNER_HOOK_JOB_COMPLETED=", check.GetProperty("fix").GetString());
        Assert.False(JsonDocument.Parse(output).RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void A_GitHub_runner_with_both_hooks_passes_and_one_without_the_completed_hook_warns()
    {
        var hooks = Path.Combine(CliRunner.RepositoryRoot(), "packaging", "hooks");
        var env = Path.Combine(_directory, ".env");
        File.WriteAllText(env, $"ACTIONS_RUNNER_HOOK_JOB_STARTED={hooks}/github-job-started.sh\n");
        Assert.Equal("warn", Check(CliRunner.Run("doctor", "--config", Config(""), "--json", "--github-runner", _directory).Output, $"github runner {_directory}").GetProperty("status").GetString());

        File.AppendAllText(env, $"ACTIONS_RUNNER_HOOK_JOB_COMPLETED={hooks}/github-job-completed.sh\n");
        Assert.Equal("ok", Check(CliRunner.Run("doctor", "--config", Config(""), "--json", "--github-runner", _directory).Output, $"github runner {_directory}").GetProperty("status").GetString());
    }

    [Fact]
    public void Each_GitLab_runner_of_config_toml_is_checked_for_both_scripts()
    {
        var toml = Path.Combine(_directory, "config.toml");
        File.WriteAllText(toml, """
            concurrent = 4
            [[runners]]
              name = "shell-1"
              executor = "shell"
              pre_build_script = "/usr/lib/buildsentry/hooks/gitlab-pre-build.sh"
              post_build_script = '''
            echo done
            /usr/lib/buildsentry/hooks/gitlab-post-build.sh
            '''
            [[runners]]
              name = "docker-1"
              [runners.docker]
                pre_build_script = "/usr/lib/buildsentry/hooks/gitlab-pre-build.sh"
            """);

        var (exitCode, output, _) = CliRunner.Run("doctor", "--config", Config(""), "--json", "--gitlab-config", toml);

        Assert.Equal(1, exitCode);
        Assert.Equal("ok", Check(output, "gitlab runner 'shell-1'").GetProperty("status").GetString());
        Assert.Equal("fail", Check(output, "gitlab runner 'docker-1'").GetProperty("status").GetString());
    }

    [Fact]
    public void A_bad_configuration_is_a_usage_error()
    {
        var (exitCode, _, error) = CliRunner.Run("doctor", "--config", Config("default_mode: loud\n"));

        Assert.Equal(2, exitCode);
        Assert.Contains("buildsentry.yaml:3:", error);
    }

    private string Config(string yaml)
    {
        var path = Path.Combine(_directory, "buildsentry.yaml");
        File.WriteAllText(path, $"control:\n  socket: {Path.Combine(_directory, "control.sock")}\n{yaml}");
        return path;
    }

    private static JsonElement Check(string json, string name) =>
        JsonDocument.Parse(json).RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
