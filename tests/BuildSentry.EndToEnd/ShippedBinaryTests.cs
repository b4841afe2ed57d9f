using BuildSentry.Testing;

namespace BuildSentry.EndToEnd;

/// <summary>
/// The daemon ships as a Native AOT executable, which has no reflection to fall back on: the parsers of its
/// hostile inputs (configuration, profiles) are run through it here, errors included.
/// </summary>
public sealed class ShippedBinaryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("buildsentry-shipped-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_bad_configuration_is_refused_with_file_line_and_column()
    {
        var unknownKey = Write("unknown.yaml", "default_mode: audit\nreport_dir: /tmp\n");
        var badMode = Write("mode.yaml", "\ndefault_mode: block\n");
        var badTransport = Write("transport.yaml", "alerts:\n  targets:\n    - address: 127.0.0.1\n      transport: carrier-pigeon\n");

        var first = await Command.RunAsync(DaemonProcess.Binary, ["run", "--config", unknownKey]);
        var second = await Command.RunAsync(DaemonProcess.Binary, ["run", "--config", badMode]);
        var third = await Command.RunAsync(DaemonProcess.Binary, ["run", "--config", badTransport]);

        Assert.NotEqual(0, first.ExitCode);
        Assert.Contains($"{unknownKey}:2:1: ", first.StandardError, StringComparison.Ordinal);
        Assert.Contains("report_dir", first.StandardError, StringComparison.Ordinal);
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains($"{badMode}:2:", second.StandardError, StringComparison.Ordinal);
        Assert.NotEqual(0, third.ExitCode);
        Assert.Contains("transport 'carrier-pigeon' is not one of udp, tcp, relp, unix", third.StandardError + third.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shipped_profiles_check_and_answer_and_a_bad_one_is_placed()
    {
        var shipped = Path.Combine(Path.GetDirectoryName(DaemonProcess.Binary)!, "profiles");
        var bad = Write("web.yaml", "name: web\negres:\n  - host: example.com\n");

        var valid = await Command.RunAsync(DaemonProcess.Binary, ["check", shipped]);
        var answer = await Command.RunAsync(DaemonProcess.Binary, ["check", shipped, "--profile", "github-actions", "--host", "github.com"]);
        var invalid = await Command.RunAsync(DaemonProcess.Binary, ["check", bad]);

        Assert.True(valid.ExitCode == 0, valid.StandardOutput + valid.StandardError);
        var profiles = Directory.GetFiles(shipped, "*.yaml").Length;
        Assert.Contains($"checked {profiles} files: {profiles} valid profiles, 0 errors", valid.StandardOutput, StringComparison.Ordinal);
        Assert.True(answer.ExitCode == 0, answer.StandardOutput + answer.StandardError);
        Assert.Contains("allowed", answer.StandardOutput, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(0, invalid.ExitCode);
        Assert.Contains($"{bad}:2:1: error: unknown key 'egres'", invalid.StandardOutput, StringComparison.Ordinal);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
