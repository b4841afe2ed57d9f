using System.Globalization;

namespace BuildSentry.EndToEnd.Packaging;

/// <summary>
/// The package in a Debian 12 system booted under its own systemd (systemd-nspawn): installed with dpkg, its unit run as
/// shipped, upgraded and purged. Alerts leave the container through a unix socket bound in from the test.
/// </summary>
[Collection(DebianPackageCollection.Name)]
public sealed class PackageLifecycleTests(DebianPackage package) : IAsyncLifetime
{
    private const string Config = "/etc/buildsentry/buildsentry.yaml";
    private const string Profiles = "/etc/buildsentry/profiles";
    private readonly UnixAlertReceiver _alerts = new();
    private readonly string _upgrade = Directory.CreateTempSubdirectory("buildsentry-upgrade-").FullName;
    private BootedContainer? _container;

    private BootedContainer Container => _container ?? throw new InvalidOperationException("not booted");

    public async Task InitializeAsync()
    {
        package.Built();
        _container = await BootedContainer.BootAsync(await DebianTree.EnsureAsync(),
            (package.Directory, "/mnt/deb", false), (_upgrade, "/mnt/upgrade", false), (_alerts.Directory, "/mnt/alerts", true));
    }

    public async Task DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }

        await _alerts.DisposeAsync();
        Directory.Delete(_upgrade, recursive: true);
    }

    [Fact]
    public async Task Installed_the_unit_becomes_active_through_READY_reloads_is_restarted_by_its_watchdog_and_flushes_alerts_on_stop()
    {
        await InstallAsync();
        Assert.Equal("enabled", (await Container.ExecAsync(["systemctl", "is-enabled", "buildsentry"])).StandardOutput.Trim());
        Assert.Equal("active", (await Container.ExecAsync(["systemctl", "is-active", "buildsentry"])).StandardOutput.Trim());

        // Type=notify: `systemctl restart` returns once READY=1 came, which the daemon sends only with its socket listening.
        await SendAlertsToTestAsync();
        Assert.Equal("notify", (await ShowAsync("Type"))["Type"]);
        await Container.RunAsync("buildsentry", "status");
        await _alerts.WaitForAsync(a => Kind(a) == "daemon.start", TimeSpan.FromSeconds(10));

        var profiles = Directory.GetFiles(Path.Combine(BuildSentry.Testing.RepositoryRoot.Path, "profiles"), "*.yaml").Length;
        await Container.RunAsync("sh", "-c", $"sed 's/^name: npm$/name: npm-mirror/' {Profiles}/npm.yaml > {Profiles}/npm-mirror.yaml");
        var before = await ShowAsync("MainPID");
        await Container.RunAsync("systemctl", "reload", "buildsentry");
        var reloaded = await _alerts.WaitForAsync(a => Kind(a) == "daemon.reload", TimeSpan.FromSeconds(10));
        Assert.Contains($"{profiles + 1} profiles from {Profiles}", reloaded.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(before["MainPID"], (await ShowAsync("MainPID"))["MainPID"]);

        // The monitor loop's thread stopped, the rest of the daemon running: the pings stop and WatchdogSec=30 runs out.
        var mainPid = int.Parse(before["MainPID"], CultureInfo.InvariantCulture);
        using (await StoppedThread.StopAsync(Container.HostPid(mainPid), "monitor-loop"))
        {
            string[] journal = ["journalctl", "-u", "buildsentry", "--no-pager", "-g", "Watchdog timeout"];
            await WaitForAsync(async () => (await Container.ExecAsync(journal)).Succeeded,
                TimeSpan.FromSeconds(60), "systemd never saw the watchdog time out");
        }

        // Released, the thread lets the aborted process exit, and Restart=on-failure starts a new one.
        await WaitForAsync(async () => await ShowAsync("ActiveState", "MainPID", "NRestarts") is var s
            && s["ActiveState"] == "active" && s["MainPID"] != before["MainPID"] && s["NRestarts"] == "1",
            TimeSpan.FromSeconds(30), "the daemon was not restarted after the watchdog timeout");
        await Container.RunAsync("buildsentry", "status");

        // Alerts raised right up to the stop (each `buildsentry reload` answers once its alert is queued), then the stop's.
        await Container.RunAsync("sh", "-c", "for i in $(seq 20); do buildsentry reload > /dev/null || exit 1; done; systemctl stop buildsentry");
        var stopped = await ShowAsync("Result", "ExecMainStatus", "ActiveState");
        Assert.Equal(("success", "0", "inactive"), (stopped["Result"], stopped["ExecMainStatus"], stopped["ActiveState"]));
        // The stop alert is raised after systemd asked the daemon to stop; that it arrived, after every reload's, means the
        // queue was flushed before the process exited (systemctl stop returns after the exit).
        await _alerts.WaitForAsync(a => Kind(a) == "daemon.stop", TimeSpan.FromSeconds(2));
        Assert.Equal(21, _alerts.Kinds.Count(k => k == "daemon.reload"));
        Assert.Equal("daemon.stop", _alerts.Kinds[^1]);
    }

    [Fact]
    public async Task An_upgrade_keeps_the_administrators_files_and_restarts_the_daemon_and_a_purge_removes_its_state()
    {
        var newer = await NewerPackageAsync();
        await InstallAsync();
        await Container.RunAsync("sed", "-i", "s/^# host_name: build-agent-01$/host_name: runner-01/", Config);
        await Container.RunAsync("sh", "-c", $"echo '# reviewed' >> {Profiles}/pypi.yaml");
        await Container.RunAsync("sh", "-c", $"sed 's/^name: npm$/name: team/' {Profiles}/npm.yaml > {Profiles}/team.yaml");
        await Container.RunAsync("sh", "-c", "mkdir -p /var/lib/buildsentry/reports && echo '{}' > /var/lib/buildsentry/reports/job-1.json");
        var before = (await ShowAsync("MainPID"))["MainPID"];

        await Container.RunAsync("env", "DEBIAN_FRONTEND=noninteractive", "dpkg", "--force-confold", "-i", $"/mnt/upgrade/{Path.GetFileName(newer)}");

        Assert.Equal($"{package.Version}+upgrade", (await Container.RunAsync("dpkg-query", "-W", "-f=${Version}", "buildsentry")).Trim());
        Assert.Contains("\nhost_name: runner-01\n", await Cat(Config), StringComparison.Ordinal);
        Assert.Contains("# newer", await Cat($"{Config}.dpkg-dist"), StringComparison.Ordinal);
        Assert.EndsWith("# reviewed\n", await Cat($"{Profiles}/pypi.yaml"), StringComparison.Ordinal);
        Assert.Contains("# newer", await Cat($"{Profiles}/npm.yaml"), StringComparison.Ordinal);
        Assert.Contains("name: team", await Cat($"{Profiles}/team.yaml"), StringComparison.Ordinal);
        Assert.Equal("{}\n", await Cat("/var/lib/buildsentry/reports/job-1.json"));
        var after = await ShowAsync("ActiveState", "MainPID");
        Assert.Equal("active", after["ActiveState"]);
        Assert.NotEqual(before, after["MainPID"]);
        await Container.RunAsync("buildsentry", "status");

        await Container.RunAsync("dpkg", "--purge", "buildsentry");

        Assert.Equal("inactive", (await Container.ExecAsync(["systemctl", "is-active", "buildsentry"])).StandardOutput.Trim());
        string[] gone =
        [
            "/var/lib/buildsentry", Config, $"{Config}.dpkg-dist", $"{Profiles}/npm.yaml", "/usr/lib/buildsentry",
            "/lib/systemd/system/buildsentry.service", "/etc/systemd/system/multi-user.target.wants/buildsentry.service",
        ];
        var left = await Container.ExecAsync(["ls", "-d", .. gone]);
        Assert.Equal("", left.StandardOutput);
        // What the administrator wrote is theirs: dpkg leaves it.
        Assert.Contains("name: team", await Cat($"{Profiles}/team.yaml"), StringComparison.Ordinal);
    }

    private async Task InstallAsync() =>
        await Container.RunAsync("dpkg", "-i", $"/mnt/deb/{Path.GetFileName(package.Deb)}");

    /// <summary>The alert target an administrator would add: here, the test's socket.</summary>
    private async Task SendAlertsToTestAsync()
    {
        await Container.RunAsync("sed", "-i",
            $"s|^  targets: \\[\\]$|  targets: [{{ transport: unix, address: /mnt/alerts/{UnixAlertReceiver.SocketName}, format: json }}]|", Config);
        await Container.RunAsync("systemctl", "restart", "buildsentry");
    }

    /// <summary>
    /// The same package as a newer version whose shipped configuration and npm profile changed: what an upgrade brings.
    /// </summary>
    private async Task<string> NewerPackageAsync()
    {
        var tree = Path.Combine(_upgrade, "tree");
        await Host("dpkg-deb", "-R", package.Deb, tree);
        var control = Path.Combine(tree, "DEBIAN", "control");
        var fields = File.ReadAllText(control);
        File.WriteAllText(control, fields.Replace($"Version: {package.Version}\n", $"Version: {package.Version}+upgrade\n", StringComparison.Ordinal));
        File.AppendAllText(Path.Combine(tree, "etc/buildsentry/buildsentry.yaml"), "# newer\n");
        File.AppendAllText(Path.Combine(tree, "etc/buildsentry/profiles/npm.yaml"), "# newer\n");
        var newer = Path.Combine(_upgrade, "buildsentry_upgrade.deb");
        await Host("dpkg-deb", "--build", "-Zgzip", tree, newer);
        Directory.Delete(tree, recursive: true);
        return newer;
    }

    private static async Task Host(string program, params string[] arguments)
    {
        var result = await BuildSentry.Testing.Command.RunAsync(program, arguments);
        Assert.True(result.Succeeded, $"{program} {string.Join(' ', arguments)}: {result}");
    }

    private Task<string> Cat(string path) => Container.RunAsync("cat", path);

    private async Task<Dictionary<string, string>> ShowAsync(params string[] properties)
    {
        var output = await Container.RunAsync(["systemctl", "show", "buildsentry", .. properties.Select(p => $"--property={p}")]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
    }

    private static string? Kind(System.Text.Json.JsonElement alert) => alert.GetProperty("kind").GetString();

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(500);
        }
    }
}
