using System.Text.Json;
using BuildSentry.Testing;

namespace BuildSentry.EndToEnd;

/// <summary>Reloads by SIGHUP (systemctl reload) and by the control command: invalid profiles are refused, valid ones taken.</summary>
public sealed class ServiceReloadTests
{
    private const string ThreeProfiles = """
        name: default
        ---
        name: one
        match: { ci: gitlab }
        ---
        name: two
        match: { ci: jenkins }
        """;

    /// <summary>Also started as nohup would start it: an inherited SIG_IGN for SIGHUP must not silence reloads.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sighup_with_invalid_profiles_keeps_the_last_good_set_and_a_valid_change_is_taken(bool sighupIgnoredByItsStarter)
    {
        Requirements.Root();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup { SighupIgnored = sighupIgnoredByItsStarter });
        // A test run that itself ignores SIGHUP (started under nohup) passes that on to every daemon it starts.
        Assert.Equal(sighupIgnoredByItsStarter || TestHostIgnoresSighup(), daemon.Output.Contains("SIGHUP was ignored by the process that started the daemon", StringComparison.Ordinal));
        Assert.Equal(2, await ProfileCountAsync(daemon));
        var profiles = ReplaceProfiles(daemon, "broken.yaml", "name: [unclosed\n");

        Syscall.HangUp(daemon.Pid);

        var failed = await daemon.WaitForAlertAsync(a => Kind(a) == "daemon.reload-failed");
        Assert.Contains($"1 problem(s) in {profiles}", failed.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, await ProfileCountAsync(daemon));

        ReplaceProfiles(daemon, "three.yaml", ThreeProfiles);
        Syscall.HangUp(daemon.Pid);

        await daemon.WaitForAlertAsync(a => Kind(a) == "daemon.reload");
        Assert.Equal(3, await ProfileCountAsync(daemon));
    }

    private static bool TestHostIgnoresSighup()
    {
        var ignored = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))["SigIgn:".Length..].Trim();
        return (Convert.ToUInt64(ignored, 16) & 1) != 0;
    }

    [Fact]
    public async Task The_reload_command_refuses_invalid_profiles_and_takes_valid_ones()
    {
        Requirements.Root();
        await using var daemon = await DaemonProcess.StartAsync(new DaemonSetup());
        ReplaceProfiles(daemon, "broken.yaml", "name: default\negress: [{ host: 'a b c', ports: [99999] }]\n");

        var refused = await daemon.CliAsync("reload");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("the previous profiles stay in force", refused.StandardError, StringComparison.Ordinal);
        await daemon.WaitForAlertAsync(a => Kind(a) == "daemon.reload-failed");
        Assert.Equal(2, await ProfileCountAsync(daemon));

        ReplaceProfiles(daemon, "three.yaml", ThreeProfiles);
        var reloaded = await daemon.CliAsync("reload");

        Assert.True(reloaded.Succeeded, reloaded.ToString());
        Assert.Contains("reloaded 3 profiles", reloaded.StandardOutput, StringComparison.Ordinal);
        await daemon.WaitForAlertAsync(a => Kind(a) == "daemon.reload");
        Assert.Equal(3, await ProfileCountAsync(daemon));
    }

    private static string Kind(JsonElement alert) => alert.GetProperty("kind").GetString() ?? "";

    /// <summary>Replaces the whole profiles directory content with one file; returns the directory.</summary>
    private static string ReplaceProfiles(DaemonProcess daemon, string name, string text)
    {
        var directory = Path.Combine(daemon.Directory, "profiles");
        foreach (var file in Directory.GetFiles(directory))
        {
            File.Delete(file);
        }

        File.WriteAllText(Path.Combine(directory, name), text);
        return directory;
    }

    private static async Task<int> ProfileCountAsync(DaemonProcess daemon)
    {
        var status = await daemon.CliAsync("status", "--json");
        Assert.True(status.Succeeded, status.ToString());
        return JsonDocument.Parse(status.StandardOutput).RootElement.GetProperty("profiles").GetProperty("count").GetInt32();
    }
}
