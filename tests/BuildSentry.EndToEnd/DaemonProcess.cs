using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BuildSentry.Testing;

namespace BuildSentry.EndToEnd;

/// <summary>
/// The real <c>buildsentry run</c> binary in its own directory (configuration, profiles, reports,
/// control socket), sending its alerts as JSON over TCP syslog to a receiver in the test.
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private DaemonProcess(string directory, Process process, OctetCountingReceiver alerts)
    {
        Directory = directory;
        _process = process;
        Alerts = alerts;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string Binary
    {
        get
        {
            // The daemon as it ships: the Native AOT executable scripts/test.sh publishes (scripts/deps.sh publish_daemon).
            var path = Path.Combine(RepositoryRoot.Path, "artifacts", "daemon", "buildsentry");
            return File.Exists(path) ? path : throw new RequirementNotMetException($"the daemon is not published at {path}: run scripts/test.sh");
        }
    }

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "control.sock");

    public string ReportsDirectory => Path.Combine(Directory, "reports");

    public OctetCountingReceiver Alerts { get; }

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<DaemonProcess> StartAsync(DaemonSetup setup)
    {
        Requirements.Root();
        var directory = System.IO.Directory.CreateTempSubdirectory("buildsentry-e2e-").FullName;
        var profiles = Path.Combine(directory, "profiles");
        System.IO.Directory.CreateDirectory(profiles);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Profiles", "lab.yaml"), Path.Combine(profiles, "lab.yaml"));
        foreach (var (name, yaml) in setup.ExtraProfiles)
        {
            await File.WriteAllTextAsync(Path.Combine(profiles, name), yaml);
        }

        var extraTargets = string.Join("\n", setup.ExtraAlertTargets.Select(t => "    - " + t));
        var alerts = new OctetCountingReceiver();
        await File.WriteAllTextAsync(Path.Combine(directory, "buildsentry.yaml"), $"""
            profiles_dir: {profiles}
            default_mode: {setup.Mode}
            reports_dir: {Path.Combine(directory, "reports")}
            control:
              socket: {Path.Combine(directory, "control.sock")}
            alerts:
              targets:
                - transport: tcp
                  address: 127.0.0.1
                  port: {alerts.Port}
                  format: json
            {extraTargets}
            # Prevent and kill modes send a held job's DNS through the forwarder to these, never outside the lab.
            prevent:
              dns_servers: [{BuildSentry.Testing.Lab.NetworkLab.ResolverAddress}]
            {setup.ExtraConfiguration}
            """);
        string[] run = ["run", "--config", Path.Combine(directory, "buildsentry.yaml")];
        string[] command = [.. setup.Launcher, .. setup.SighupIgnored ? ["/usr/bin/nohup"] : Array.Empty<string>(), Binary, .. run];
        var process = Command.Start(command[0], command[1..], setup.Environment);
        var daemon = new DaemonProcess(directory, process, alerts);
        await daemon.WaitUntilReadyAsync();
        return daemon;
    }

    /// <summary>Runs the CLI against this daemon's socket.</summary>
    public Task<CommandResult> CliAsync(params string[] args) =>
        Command.RunAsync(Binary, [.. args, "--socket", SocketPath], TimeSpan.FromSeconds(30));

    /// <summary>Alerts received so far, as the JSON objects the daemon sent (the syslog MSG part).</summary>
    public IReadOnlyList<JsonElement> AlertRecords()
    {
        List<string> records;
        lock (Alerts.Records)
        {
            records = [.. Alerts.Records];
        }

        return records.Select(r => JsonDocument.Parse(r[(r.IndexOf("- \uFEFF", StringComparison.Ordinal) + 3)..]).RootElement).ToList();
    }

    public async Task<JsonElement> WaitForAlertAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            if (AlertRecords().FirstOrDefault(match) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no matching alert; received:\n{string.Join("\n", AlertRecords())}\ndaemon output:\n{Output}\n{SignalState()}");
    }

    /// <summary>The daemon's signal state, process-wide and per thread (a signal it never handled shows as pending or blocked).</summary>
    private string SignalState()
    {
        try
        {
            var lines = new List<string>();
            var status = $"/proc/{Pid}/status";
            lines.AddRange(File.ReadLines(status).Where(l => l.StartsWith("Sig", StringComparison.Ordinal) || l.StartsWith("ShdPnd", StringComparison.Ordinal)
                                                             || l.StartsWith("State", StringComparison.Ordinal)));
            foreach (var task in System.IO.Directory.EnumerateDirectories($"/proc/{Pid}/task"))
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                var fields = File.ReadLines(Path.Combine(task, "status")).Where(l => l.StartsWith("SigPnd", StringComparison.Ordinal)
                                                                                   || l.StartsWith("SigBlk", StringComparison.Ordinal)
                                                                                   || l.StartsWith("State", StringComparison.Ordinal));
                lines.Add($"{Path.GetFileName(task)} {name}: {string.Join(" ", fields).Replace('\t', ' ')}");
            }

            return "daemon signal state:\n" + string.Join("\n", lines);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"daemon signal state unreadable: {ex.Message}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Syscall.Terminate(_process.Id);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        await Alerts.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Stops the daemon with SIGTERM and returns its exit code.</summary>
    /// <summary>Waits for the daemon to exit on its own; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async Task<int> StopAsync()
    {
        Syscall.Terminate(_process.Id);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return _process.ExitCode;
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the daemon exited with {_process.ExitCode}:\n{Output}");
            }

            if (File.Exists(SocketPath) || Path.Exists(SocketPath))
            {
                var status = await CliAsync("status", "--json");
                if (status.Succeeded && status.StandardOutput.Contains("\"capture\":\"on\"", StringComparison.Ordinal))
                {
                    return;
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the daemon did not become ready:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
